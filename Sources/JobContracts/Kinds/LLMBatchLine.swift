import VelocityTypes

/// `llm.batch`: one line of an OpenAI-compatible batch, a child job of the batch.
///
/// The payload is the input file's line (`custom_id`, `method`, `url`, `body`) and the batch's
/// id; the result is the server's answer to `body`, which the batch's output file carries.
public enum LLMBatchLine: JobContract {
    public static let kind = JobKind(name: "llm.batch", queue: "llm", defaultPriority: -500)

    public struct Payload: Codable, Sendable, Equatable {
        /// The batch the line belongs to; absent when a line is submitted on its own.
        public var batch_id: String?
        public var custom_id: String
        public var method: String
        public var url: String
        public var body: ChatCompletionRequest

        public init(batch_id: String?, custom_id: String, method: String, url: String, body: ChatCompletionRequest) {
            self.batch_id = batch_id
            self.custom_id = custom_id
            self.method = method
            self.url = url
            self.body = body
        }
    }

    /// The server's `chat.completion` body, unchanged.
    public typealias Result = RawJSON
}
