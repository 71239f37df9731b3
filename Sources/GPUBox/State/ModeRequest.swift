import Foundation

/// An operator's request to switch a box to a mode.
public struct ModeRequest: Sendable, Equatable, Codable {
    /// Identifies the switch in events and audit records.
    public var id: String
    public var box: String
    public var mode: BoxMode
    /// Who asked (an API key id or a user), for the audit trail.
    public var requestedBy: String
    /// Milliseconds since 1970.
    public var requestedAtMilliseconds: Int

    public init(id: String? = nil, box: String, mode: BoxMode, requestedBy: String, requestedAtMilliseconds: Int? = nil) {
        self.id = id ?? UUID().uuidString.lowercased()
        self.box = box
        self.mode = mode
        self.requestedBy = requestedBy
        self.requestedAtMilliseconds = requestedAtMilliseconds ?? Int(Date().timeIntervalSince1970 * 1000)
    }

    enum CodingKeys: String, CodingKey {
        case id, box, mode
        case requestedBy = "requested_by"
        case requestedAtMilliseconds = "requested_at_ms"
    }
}
