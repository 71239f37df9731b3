import Foundation

/// A request to switch a box to a mode: an operator's, or its autopilot's (`requestedBy`
/// "autopilot", with the advice's `reason`).
public struct ModeRequest: Sendable, Equatable, Codable {
    /// Identifies the switch in events and audit records.
    public var id: String
    public var box: String
    public var mode: BoxMode
    /// Who asked (an API key id or a user), for the audit trail.
    public var requestedBy: String
    /// Milliseconds since 1970.
    public var requestedAtMilliseconds: Int
    /// Why, when the requester says (the autopilot always does), for the audit trail.
    public var reason: String?

    public init(
        id: String? = nil, box: String, mode: BoxMode, requestedBy: String, requestedAtMilliseconds: Int? = nil,
        reason: String? = nil
    ) {
        self.id = id ?? UUID().uuidString.lowercased()
        self.box = box
        self.mode = mode
        self.requestedBy = requestedBy
        self.requestedAtMilliseconds = requestedAtMilliseconds ?? Int(Date().timeIntervalSince1970 * 1000)
        self.reason = reason
    }

    /// Who asks when the box's autopilot does.
    public static let autopilot = "autopilot"

    enum CodingKeys: String, CodingKey {
        case id, box, mode, reason
        case requestedBy = "requested_by"
        case requestedAtMilliseconds = "requested_at_ms"
    }
}
