/// The parts of an OpenAI `chat.completion` the platform reads; the job result keeps the
/// server's whole body.
public struct ChatCompletion: Decodable, Sendable, Equatable {
    public struct Choice: Decodable, Sendable, Equatable {
        public struct Message: Decodable, Sendable, Equatable {
            public var role: String
            public var content: String?
        }
        public var index: Int
        public var message: Message
        public var finish_reason: String?
    }

    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: Usage?
}

/// Token counts of a completion.
public struct Usage: Decodable, Sendable, Equatable {
    public var prompt_tokens: Int
    public var completion_tokens: Int
    public var total_tokens: Int
}

/// One `chat.completion.chunk` of a streamed answer.
public struct ChatCompletionChunk: Decodable, Sendable, Equatable {
    public struct Choice: Decodable, Sendable, Equatable {
        public struct Delta: Decodable, Sendable, Equatable {
            public var role: String?
            public var content: String?
        }
        public var index: Int
        public var delta: Delta
        public var finish_reason: String?
    }

    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [Choice]
    public var usage: Usage?
}

/// A successful non-streamed answer: the body as the server sent it, and what it says.
public struct ChatCompletionResponse: Sendable {
    /// The server's JSON, unchanged (a job's result).
    public var body: String
    public var completion: ChatCompletion
    /// Attempts it took (1 without retries).
    public var attempts: Int
    /// Time of the successful attempt alone.
    public var latency: Duration
}
