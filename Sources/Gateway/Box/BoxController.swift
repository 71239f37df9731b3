import Broker
import Foundation
import GPUBox
import Hummingbird
import Logging

/// The GPU boxes: `GET /v1/gpus` (every box's mode and GPUs, as its agent last published them),
/// `POST /v1/ops/mode` (operators ask a box to switch mode; its agent performs the switch),
/// `GET /v1/ops/mode/advice` (which mode would serve the queued work best, and why), `PUT
/// /v1/ops/mode/autopilot` (`BoxController+Autopilot`) and the GPU drains (`BoxController+Drains`).
struct BoxController: Sendable {
    let boxes: BoxStateStore
    let broker: any JobBroker
    let logger: Logger

    func addRoutes(to router: Router<GatewayContext>) {
        router.get("/v1/gpus", use: gpus)
        router.post("/v1/ops/mode", use: switchMode)
        router.get("/v1/ops/mode/advice", use: advice)
        router.put("/v1/ops/mode/autopilot", use: setAutopilot)
        router.post("/v1/gpus/{box}/{index}/drain", use: drain)
        router.delete("/v1/gpus/{box}/{index}/drain", use: undrain)
    }

    @Sendable func gpus(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try JSONResponse.make(
            BoxList(
                data: try await Self.payloads(
                    try await boxes.boxes(), broker: broker, showOutput: principal.role >= .operator)))
    }

    /// The boxes as `GET /v1/gpus` shows them, each GPU's current job with its progress, read
    /// from the broker in one round trip per queue; a failed read leaves the progress out.
    /// Backends' output (a traceback may quote any tenant's prompt) only for operators.
    static func payloads(_ views: [BoxStateStore.BoxView], broker: any JobBroker, showOutput: Bool) async throws
        -> [BoxPayload]
    {
        var payloads = views.map { BoxPayload($0, timeout: BoxDirectory.heartbeatTimeout) }
        if !showOutput {
            for box in payloads.indices {
                for gpu in payloads[box].gpus.indices { payloads[box].gpus[gpu].backendOutput = nil }
            }
        }
        var running: [String: Set<String>] = [:]
        for payload in payloads {
            for gpu in payload.gpus {
                if let job = gpu.currentJob, let queue = gpu.role { running[queue, default: []].insert(job) }
            }
        }
        var progress: [String: Double] = [:]
        for (queue, ids) in running {
            guard let snapshots = try? await broker.jobs(queue: queue, ids: Array(ids)) else { continue }
            for case let snapshot? in snapshots { progress[snapshot.id] = snapshot.progress }
        }
        for box in payloads.indices {
            for gpu in payloads[box].gpus.indices {
                payloads[box].gpus[gpu].currentJobProgress = payloads[box].gpus[gpu].currentJob.flatMap { progress[$0] }
            }
        }
        return payloads
    }

    /// Every live box's mode advice, or `box`'s (404 for a box that never reported, 409 for
    /// one whose agent is not heartbeating: its figures would be stale).
    @Sendable func advice(_ request: Request, context: GatewayContext) async throws -> Response {
        _ = try context.require(.operator)
        var views = try await boxes.boxes()
        if let name = request.uri.queryParameters["box"].map(String.init) {
            views = views.filter { $0.status.box == name }
            guard let view = views.first else { throw GatewayError.notFound("box '\(name.prefix(64))'") }
            guard view.isAlive(timeout: BoxDirectory.heartbeatTimeout) else {
                throw GatewayError(.conflict, "agent_down", "the agent of box '\(name)' is not heartbeating")
            }
        }
        return try JSONResponse.make(AdviceList(data: try await ModeAdviceReader(broker: broker).advice(views)))
    }

    struct AdviceList: Encodable {
        var object = "list"
        var data: [ModeAdvice]
    }

    struct ModeSwitchRequest: Decodable {
        var mode: String
        var box: String?
    }

    @Sendable func switchMode(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.operator)
        let body = try await JSONResponse.decode(ModeSwitchRequest.self, from: request, context: context)
        guard let mode = BoxMode(rawValue: body.mode) else {
            throw GatewayError.invalid(
                field: "mode", "must be one of \(BoxMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let box = try Self.box(named: body.box, in: try await boxes.boxes())
        let switchRequest = ModeRequest(box: box.status.box, mode: mode, requestedBy: "\(principal.tenant):\(principal.subject)")
        // An explicit mode takes control from the autopilot until an operator hands it back.
        let tookControl = try await boxes.request(switchRequest)
        let paused = tookControl ? "; its autopilot is off until an operator turns it on" : ""
        logger.info(
            "mode switch \(switchRequest.id) of \(box.status.box) to \(mode) requested by \(switchRequest.requestedBy)\(paused)")
        return try JSONResponse.make(
            ModeSwitchAccepted(
                id: switchRequest.id, box: box.status.box, mode: mode.rawValue, from: box.status.mode?.rawValue,
                agent_alive: box.isAlive(timeout: BoxDirectory.heartbeatTimeout), autopilot_paused: tookControl),
            status: .accepted)
    }

    struct ModeSwitchAccepted: Encodable {
        var object = "mode_switch"
        var id: String
        var box: String
        var mode: String
        var from: String?
        var status = "requested"
        /// False when the box's agent is not heartbeating: the switch runs when it comes back.
        var agent_alive: Bool
        /// True when this request turned the box's autopilot off (it was on).
        var autopilot_paused: Bool
    }

    struct BoxList: Encodable {
        var object = "list"
        var data: [BoxPayload]
    }

    /// One box in `GET /v1/gpus`.
    struct BoxPayload: Encodable {
        var box: String
        var mode: String?
        var desired_mode: String?
        var alive: Bool
        var heartbeat_age_ms: Int
        var switching: BoxStatus.SwitchProgress?
        var last_switch: BoxStatus.SwitchProgress?
        var last_switch_error: String?
        var queues: [String]
        var backend_restarts: [String: Int]
        var gpus: [GPUStatus]
        /// Its autopilot, once an operator ever set it.
        var autopilot: AutopilotView?

        init(_ view: BoxStateStore.BoxView, timeout: Duration) {
            let status = view.status
            box = status.box
            mode = status.mode?.rawValue
            desired_mode = view.desired?.mode.rawValue
            alive = view.isAlive(timeout: timeout)
            heartbeat_age_ms = view.heartbeatAgeMilliseconds
            switching = status.switching
            last_switch = status.lastSwitch
            last_switch_error = status.lastSwitchError
            queues = alive ? status.servedQueues : []
            backend_restarts = status.backendRestarts
            gpus = status.gpus
            autopilot = view.autopilot.map { AutopilotView(box: status.box, setting: $0, report: status.autopilot) }
        }
    }
}
