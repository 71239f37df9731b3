import VelocityTypes

/// `llm.chat`: one interactive chat completion on the box's LLM server, ahead of batch lines.
///
/// The payload is the request body; the result is the server's `chat.completion` object as it
/// answered (streaming is turned off: the job's result is the whole completion).
public enum LLMChat: JobContract {
    public static let kind = JobKind(name: "llm.chat", queue: "llm", defaultPriority: 500)

    public typealias Payload = ChatCompletionRequest
    /// The server's `chat.completion` body, unchanged.
    public typealias Result = RawJSON
}
