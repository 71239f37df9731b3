/// How an `OpenAIEmulator` behaves: which server it imitates, what it serves, how fast, and how
/// it answers errors and structured-output requests.
public struct OpenAIEmulatorConfiguration: Sendable, Equatable {
    /// The server whose routes, metrics, start-up, errors and chunk shapes it reproduces.
    public var flavor: Flavor
    /// The served model name: SGLang's and vLLM's `--served-model-name`, llama.cpp's `--alias`
    /// (or its `-m` path).
    public var model: String
    /// Requests decoded at once; later ones wait in a FIFO queue (SGLang `--max-running-requests`,
    /// vLLM `--max-num-seqs`, llama.cpp `--parallel`).
    public var slots: Int
    /// Decode speed of one request, tokens per second.
    public var tokensPerSecond: Double
    /// Time before a request's first token, spent in its slot.
    public var prefillMilliseconds: Double
    /// `max_tokens` when a request names none.
    public var defaultMaxTokens: Int
    /// The context window (llama.cpp: one slot's `n_ctx`). SGLang and vLLM refuse a prompt plus
    /// `max_tokens` past it; llama.cpp refuses only a prompt that fills it, and stops a longer
    /// answer at it with `finish_reason: "length"`.
    public var contextLength: Int
    /// Refuse a request whose `model` is not the served one with 404, as vLLM does; SGLang
    /// serves whatever name it is given and llama.cpp ignores it.
    public var strictModel: Bool
    /// The shape of error bodies.
    public var errorStyle: ErrorStyle
    /// Also expose vLLM's gauge names on an SGLang flavor's `/metrics`.
    public var vllmMetrics: Bool
    /// How long loading the model takes after start: SGLang answers `/health` 503, llama.cpp
    /// answers 503 "Loading model" on every route but `/v1/models`, vLLM does not listen yet.
    public var startupMilliseconds: Int
    /// How often structured-output answers come back broken, and how.
    public var brokenJSON: BrokenJSONRates
    /// Mixed into every request's draw (answers, broken JSON): another seed, other answers.
    public var seed: UInt64

    /// How error bodies look.
    public enum ErrorStyle: String, Sendable, Equatable, CaseIterable {
        /// SGLang's (and older vLLM's) flat `{"object":"error","message","type","param","code"}`.
        case sglang
        /// OpenAI's `{"error":{"message","type","param","code"}}`, `type` in OpenAI's words.
        case openai
        /// vLLM's `{"error":{"message","type":"BadRequestError"…,"param","code":400}}`.
        case vllm
        /// llama.cpp's `{"error":{"code","message","type"}}`.
        case llamacpp
    }

    /// - Parameters:
    ///   - strictModel: nil takes the flavor's habit (only vLLM checks the name).
    ///   - errorStyle: nil takes the flavor's own.
    public init(
        flavor: Flavor = .sglang, model: String = "emulated-model", slots: Int = 8, tokensPerSecond: Double = 100,
        prefillMilliseconds: Double = 20, defaultMaxTokens: Int = 128, contextLength: Int = 32_768, strictModel: Bool? = nil,
        errorStyle: ErrorStyle? = nil, vllmMetrics: Bool = false, startupMilliseconds: Int = 0,
        brokenJSON: BrokenJSONRates = .none, seed: UInt64 = 0
    ) {
        self.flavor = flavor
        self.model = model
        self.slots = max(1, slots)
        self.tokensPerSecond = max(0.001, tokensPerSecond)
        self.prefillMilliseconds = max(0, prefillMilliseconds)
        self.defaultMaxTokens = max(1, defaultMaxTokens)
        self.contextLength = max(2, contextLength)
        self.strictModel = strictModel ?? flavor.checksModelName
        self.errorStyle = errorStyle ?? flavor.errorStyle
        self.vllmMetrics = vllmMetrics
        self.startupMilliseconds = max(0, startupMilliseconds)
        self.brokenJSON = brokenJSON
        self.seed = seed
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
