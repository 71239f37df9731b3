/// How an `OpenAIEmulator` behaves: what it serves, how fast, and how it answers errors.
public struct OpenAIEmulatorConfiguration: Sendable, Equatable {
    /// The served model name (`--served-model-name` of SGLang and vLLM).
    public var model: String
    /// Requests decoded at once; later ones wait in a FIFO queue (SGLang `--max-running-requests`).
    public var slots: Int
    /// Decode speed of one request, tokens per second.
    public var tokensPerSecond: Double
    /// Time before a request's first token, spent in its slot.
    public var prefillMilliseconds: Double
    /// `max_tokens` when a request names none.
    public var defaultMaxTokens: Int
    /// The context window: prompt plus completion may not exceed it (400 past it).
    public var contextLength: Int
    /// Refuse a request whose `model` is not the served one with 404, as vLLM does; SGLang
    /// serves whatever name it is given.
    public var strictModel: Bool
    /// The shape of error bodies.
    public var errorStyle: ErrorStyle
    /// Also expose vLLM's gauge names on `/metrics`.
    public var vllmMetrics: Bool
    /// `/health` answers 503 this long after start, as a server loading weights does.
    public var startupMilliseconds: Int

    /// How error bodies look.
    public enum ErrorStyle: String, Sendable, Equatable, CaseIterable {
        /// SGLang's (and older vLLM's) flat `{"object":"error","message","type","param","code"}`.
        case sglang
        /// OpenAI's `{"error":{"message","type","param","code"}}`.
        case openai
    }

    public init(
        model: String = "emulated-model", slots: Int = 8, tokensPerSecond: Double = 100, prefillMilliseconds: Double = 20,
        defaultMaxTokens: Int = 128, contextLength: Int = 32_768, strictModel: Bool = false,
        errorStyle: ErrorStyle = .sglang, vllmMetrics: Bool = false, startupMilliseconds: Int = 0
    ) {
        self.model = model
        self.slots = max(1, slots)
        self.tokensPerSecond = max(0.001, tokensPerSecond)
        self.prefillMilliseconds = max(0, prefillMilliseconds)
        self.defaultMaxTokens = max(1, defaultMaxTokens)
        self.contextLength = max(2, contextLength)
        self.strictModel = strictModel
        self.errorStyle = errorStyle
        self.vllmMetrics = vllmMetrics
        self.startupMilliseconds = max(0, startupMilliseconds)
    }

    /// Seconds one request holds a slot: prefill, then one decode step per token.
    public func serviceSeconds(completionTokens: Int) -> Double {
        prefillMilliseconds / 1_000 + Double(completionTokens) / tokensPerSecond
    }

    /// The most this server can do when every request asks for `maxTokens` tokens.
    public func capacity(maxTokens: Int) -> EmulatorCapacity {
        let seconds = serviceSeconds(completionTokens: maxTokens)
        let requestsPerSecond = Double(slots) / seconds
        return EmulatorCapacity(
            slots: slots, maxTokens: maxTokens, secondsPerRequest: seconds, requestsPerSecond: requestsPerSecond,
            tokensPerSecond: requestsPerSecond * Double(maxTokens))
    }
}

/// The theoretical ceiling of an emulator for one request size, so a benchmark can state
/// throughput as a fraction of it.
public struct EmulatorCapacity: Codable, Sendable, Equatable {
    public var slots: Int
    public var maxTokens: Int
    /// Time one request holds its slot.
    public var secondsPerRequest: Double
    public var requestsPerSecond: Double
    /// Completion tokens per second with every slot busy.
    public var tokensPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case slots
        case maxTokens = "max_tokens"
        case secondsPerRequest = "seconds_per_request"
        case requestsPerSecond = "requests_per_second"
        case tokensPerSecond = "tokens_per_second"
    }
}
