/// A box's mode advice (`ModeAdvisor.advise`): the mode recommended, why, and each mode's
/// figures. `GET /v1/ops/mode/advice` answers it per box.
public struct ModeAdvice: Sendable, Equatable, Codable {
    /// What one mode would do with the queued work.
    public struct Option: Sendable, Equatable, Codable {
        public var mode: BoxMode
        public var mediaGPUs: Int
        public var llmGPUs: Int
        /// 0 for the current mode.
        public var switchSeconds: Double
        /// The queued renders' and lines' time on this mode's GPUs; nil: it has none for work queued.
        public var mediaSeconds: Double?
        public var llmSeconds: Double?
        /// Switch plus the longer of the two; nil when some queued work could never run.
        public var finishSeconds: Double?
        /// How long a render or chat submitted now would wait to start; nil: never.
        public var renderWaitSeconds: Double?
        public var chatWaitSeconds: Double?
        public var meetsTargets: Bool
        /// Batches whose window this mode misses, running the batches' lines earliest due first
        /// after the interactive ones.
        public var windowsMissed: Int

        /// Serves the queued work better than `other`: meets the interactive targets where it
        /// does not, or, the same there, misses fewer batch windows. Users waiting come first,
        /// then the batches' promises, then (for the advisor) how soon everything is done.
        public func servesBetter(than other: Option) -> Bool {
            meetsTargets != other.meetsTargets ? meetsTargets : windowsMissed < other.windowsMissed
        }

        enum CodingKeys: String, CodingKey {
            case mode
            case mediaGPUs = "media_gpus"
            case llmGPUs = "llm_gpus"
            case switchSeconds = "switch_seconds"
            case mediaSeconds = "media_seconds"
            case llmSeconds = "llm_seconds"
            case finishSeconds = "finish_seconds"
            case renderWaitSeconds = "render_wait_seconds"
            case chatWaitSeconds = "chat_wait_seconds"
            case meetsTargets = "meets_targets"
            case windowsMissed = "windows_missed"
        }
    }

    /// The box it is for (set by whoever asked).
    public var box: String?
    public var current: BoxMode?
    public var recommended: BoxMode
    /// True when the recommended mode is not the one the box runs.
    public var switchAdvised: Bool
    public var reasons: [String]
    public var options: [Option]
    public var costs: ModeAdvisor.Costs
    public var targets: ModeAdvisor.Targets
    public var media: QueueDemand
    public var llm: QueueDemand

    enum CodingKeys: String, CodingKey {
        case box, current, recommended, reasons, options, costs, targets, media, llm
        case switchAdvised = "switch_advised"
    }

    public init(
        box: String? = nil, current: BoxMode?, recommended: BoxMode, reasons: [String], options: [Option],
        costs: ModeAdvisor.Costs, targets: ModeAdvisor.Targets, media: QueueDemand, llm: QueueDemand
    ) {
        self.box = box
        self.current = current
        self.recommended = recommended
        self.switchAdvised = recommended != current
        self.reasons = reasons
        self.options = options
        self.costs = costs
        self.targets = targets
        self.media = media
        self.llm = llm
    }
}
