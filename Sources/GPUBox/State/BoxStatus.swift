/// A GPU box as its agent last published it.
public struct BoxStatus: Sendable, Equatable, Codable {
    public var box: String
    /// The mode the box runs, nil before its first switch completed or after a halted one.
    public var mode: BoxMode?
    /// The mode an operator asked for.
    public var desiredMode: BoxMode?
    /// The step of the switch in progress, if any.
    public var switching: SwitchProgress?
    /// The last switch that ended, with its steps, their durations and its outcome.
    public var lastSwitch: SwitchProgress?
    /// Why the last switch did not reach its target, if it did not.
    public var lastSwitchError: String?
    /// Redis time of the agent's last heartbeat, in milliseconds.
    public var heartbeatMilliseconds: Int
    /// Restarts of each backend since the agent started, by backend name.
    public var backendRestarts: [String: Int]
    public var gpus: [GPUStatus]
    /// The autopilot's last decision; nil while it was never turned on.
    public var autopilot: AutopilotReport?
    /// What its LLM server served per GPU while lines waited (`LLMThroughputMeter`); nil until
    /// measured. The mode advice takes it over the configured figure.
    public var llmThroughput: LLMThroughput?
    /// The interactive targets its operator set (`mode_targets`): the advice for this box
    /// plans for them. Nil from agents that publish none: the defaults.
    public var targets: ModeAdvisor.Targets?

    public struct SwitchProgress: Sendable, Equatable, Codable {
        public var id: String
        public var from: BoxMode?
        public var to: BoxMode
        /// The step running now (the last one, once the switch ended).
        public var step: ModeSwitchStep
        public var rollingBack: Bool
        /// The steps finished so far, in order, with their durations.
        public var steps: [SwitchStepTiming]
        /// `switched`, `rolled_back` or `halted` once the switch ended; nil while it runs.
        public var outcome: String?
        /// The whole switch, once it ended.
        public var durationMilliseconds: Int?

        public init(
            id: String, from: BoxMode?, to: BoxMode, step: ModeSwitchStep, rollingBack: Bool, steps: [SwitchStepTiming] = [],
            outcome: String? = nil, durationMilliseconds: Int? = nil
        ) {
            self.id = id
            self.from = from
            self.to = to
            self.step = step
            self.rollingBack = rollingBack
            self.steps = steps
            self.outcome = outcome
            self.durationMilliseconds = durationMilliseconds
        }

        /// Reads what agents of every version publish: `steps` may be absent.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(String.self, forKey: .id)
            from = try container.decodeIfPresent(BoxMode.self, forKey: .from)
            to = try container.decode(BoxMode.self, forKey: .to)
            step = try container.decode(ModeSwitchStep.self, forKey: .step)
            rollingBack = try container.decode(Bool.self, forKey: .rollingBack)
            steps = try container.decodeIfPresent([SwitchStepTiming].self, forKey: .steps) ?? []
            outcome = try container.decodeIfPresent(String.self, forKey: .outcome)
            durationMilliseconds = try container.decodeIfPresent(Int.self, forKey: .durationMilliseconds)
        }

        enum CodingKeys: String, CodingKey {
            case id, from, to, step, steps, outcome
            case rollingBack = "rolling_back"
            case durationMilliseconds = "duration_ms"
        }
    }

    public init(
        box: String, mode: BoxMode?, desiredMode: BoxMode?, switching: SwitchProgress? = nil,
        lastSwitch: SwitchProgress? = nil, lastSwitchError: String? = nil, heartbeatMilliseconds: Int,
        backendRestarts: [String: Int] = [:], gpus: [GPUStatus], autopilot: AutopilotReport? = nil,
        llmThroughput: LLMThroughput? = nil, targets: ModeAdvisor.Targets? = nil
    ) {
        self.targets = targets
        self.autopilot = autopilot
        self.llmThroughput = llmThroughput
        self.lastSwitch = lastSwitch
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
        case box, mode, switching, gpus, autopilot
        case lastSwitch = "last_switch"
        case desiredMode = "desired_mode"
        case lastSwitchError = "last_switch_error"
        case heartbeatMilliseconds = "heartbeat_ms"
        case backendRestarts = "backend_restarts"
        case llmThroughput = "llm_throughput"
        case targets = "mode_targets"
    }
}
