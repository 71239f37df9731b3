/// What a box's autopilot last decided, as its agent publishes it with the box's status: the
/// dashboard and `GET /v1/gpus` say why the box stays or when it switched by itself.
public struct AutopilotReport: Sendable, Equatable, Codable {
    public var enabled: Bool
    /// "hold" or "switch".
    public var decision: String
    public var reason: String
    /// The mode the advice recommends over the box's, while it waits out its hysteresis.
    public var pendingMode: BoxMode?
    /// Automatic switches since the agent started.
    public var switches: Int

    public init(enabled: Bool, decision: String, reason: String, pendingMode: BoxMode?, switches: Int) {
        self.enabled = enabled
        self.decision = decision
        self.reason = reason
        self.pendingMode = pendingMode
        self.switches = switches
    }

    enum CodingKeys: String, CodingKey {
        case enabled, decision, reason, switches
        case pendingMode = "pending_mode"
    }
}
