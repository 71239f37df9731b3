import Foundation
import GPUBox
import Hummingbird

extension BoxController {
    /// The body of `PUT /v1/ops/mode/autopilot`: on or off, and the hysteresis (a field left
    /// out keeps the box's current value, or the default).
    struct AutopilotUpdate: Decodable {
        var enabled: Bool
        var box: String?
        var min_dwell_seconds: Double?
        var min_gain_seconds: Double?
        var confirm_seconds: Double?
        var note: String?
    }

    /// An operator turns a box's autopilot on (handing control back after an explicit mode) or
    /// off, or changes how reluctantly it switches.
    @Sendable func setAutopilot(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.operator)
        let body = try await JSONResponse.decode(AutopilotUpdate.self, from: request, context: context)
        if let note = body.note, note.count > 500 || note.contains("\u{0}") {
            throw GatewayError.invalid(field: "note", "must be at most 500 characters, without U+0000")
        }
        let view = try await Self.box(named: body.box, in: try await boxes.boxes())
        let defaults = AutopilotSetting(enabled: false, changedBy: "", changedAtMilliseconds: 0)
        let current = view.autopilot ?? defaults
        let setting = AutopilotSetting(
            enabled: body.enabled, minDwellSeconds: body.min_dwell_seconds ?? current.minDwellSeconds,
            minGainSeconds: body.min_gain_seconds ?? current.minGainSeconds,
            confirmSeconds: body.confirm_seconds ?? current.confirmSeconds,
            changedBy: "\(principal.tenant):\(principal.subject)",
            changedAtMilliseconds: Int(Date().timeIntervalSince1970 * 1000),
            note: body.note)
        if let (field, message) = setting.invalidField { throw GatewayError.invalid(field: field, message) }
        try await boxes.setAutopilot(setting, box: view.status.box)
        logger.info(
            "autopilot of \(view.status.box) turned \(setting.enabled ? "on" : "off") by \(setting.changedBy) (dwell \(setting.minDwellSeconds) s, gain \(setting.minGainSeconds) s, confirm \(setting.confirmSeconds) s)"
        )
        return try JSONResponse.make(AutopilotView(box: view.status.box, setting: setting, report: view.status.autopilot))
    }

    /// The box `name` names among `views`, or the only one when `name` is nil.
    static func box(named name: String?, in views: [BoxStateStore.BoxView]) throws -> BoxStateStore.BoxView {
        if let name {
            guard let found = views.first(where: { $0.status.box == name }) else {
                throw GatewayError.notFound("box '\(name.prefix(64))'")
            }
            return found
        }
        guard let only = views.first else {
            throw GatewayError(.conflict, "no_box", "no GPU box has ever reported to this gateway")
        }
        guard views.count == 1 else {
            throw GatewayError.invalid(
                field: "box", "is required: boxes \(views.map(\.status.box).joined(separator: ", ")) report here")
        }
        return only
    }
}

/// A box's autopilot as operators see it: the setting, and what its agent last decided.
struct AutopilotView: Encodable {
    var object = "autopilot"
    var box: String
    var enabled: Bool
    var min_dwell_seconds: Double
    var min_gain_seconds: Double
    var confirm_seconds: Double
    var changed_by: String
    var changed_at_ms: Int
    var note: String?
    var decision: String?
    var reason: String?
    var pending_mode: String?
    var switches: Int

    init(box: String, setting: AutopilotSetting, report: AutopilotReport?) {
        self.box = box
        enabled = setting.enabled
        min_dwell_seconds = setting.minDwellSeconds
        min_gain_seconds = setting.minGainSeconds
        confirm_seconds = setting.confirmSeconds
        changed_by = setting.changedBy
        changed_at_ms = setting.changedAtMilliseconds
        note = setting.note
        decision = report?.decision
        reason = report?.reason
        pending_mode = report?.pendingMode?.rawValue
        switches = report?.switches ?? 0
    }
}
