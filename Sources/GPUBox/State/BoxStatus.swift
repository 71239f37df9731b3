/// A GPU box as its agent last published it.
public struct BoxStatus: Sendable, Equatable, Codable {
    public var box: String
    /// The mode the box runs, nil before its first switch completed or after a halted one.
    public var mode: BoxMode?
    /// The mode an operator asked for.
    public var desiredMode: BoxMode?
    /// The step of the switch in progress, if any.
    public var switching: SwitchProgress?
    /// Why the last switch did not reach its target, if it did not.
    public var lastSwitchError: String?
    /// Redis time of the agent's last heartbeat, in milliseconds.
    public var heartbeatMilliseconds: Int
    /// Restarts of each backend since the agent started, by backend name.
    public var backendRestarts: [String: Int]
    public var gpus: [GPUStatus]

    public struct SwitchProgress: Sendable, Equatable, Codable {
        public var id: String
        public var from: BoxMode?
        public var to: BoxMode
        public var step: ModeSwitchStep
        public var rollingBack: Bool

        public init(id: String, from: BoxMode?, to: BoxMode, step: ModeSwitchStep, rollingBack: Bool) {
            self.id = id
            self.from = from
            self.to = to
            self.step = step
            self.rollingBack = rollingBack
        }

        enum CodingKeys: String, CodingKey {
            case id, from, to, step
            case rollingBack = "rolling_back"
        }
    }

    public init(
        box: String, mode: BoxMode?, desiredMode: BoxMode?, switching: SwitchProgress? = nil,
        lastSwitchError: String? = nil, heartbeatMilliseconds: Int, backendRestarts: [String: Int] = [:],
        gpus: [GPUStatus]
    ) {
        self.box = box
        self.mode = mode
        self.desiredMode = desiredMode
        self.switching = switching
        self.lastSwitchError = lastSwitchError
        self.heartbeatMilliseconds = heartbeatMilliseconds
        self.backendRestarts = backendRestarts
        self.gpus = gpus
    }

    /// The queues this box has capacity for now: none while switching or halted.
    public var servedQueues: [String] {
        guard switching == nil, let mode else { return [] }
        return mode.queues
    }

    enum CodingKeys: String, CodingKey {
        case box, mode, switching, gpus
        case desiredMode = "desired_mode"
        case lastSwitchError = "last_switch_error"
        case heartbeatMilliseconds = "heartbeat_ms"
        case backendRestarts = "backend_restarts"
    }
}
