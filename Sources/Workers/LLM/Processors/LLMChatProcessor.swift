public import Broker
public import JobContracts

/// `llm.chat`: the payload is the request; the result is the server's completion as sent.
public struct LLMChatProcessor: JobProcessor {
    public typealias Contract = LLMChat
    let completions: LLMCompletions

    public init(completions: LLMCompletions) {
        self.completions = completions
    }

    public func process(_ payload: ChatCompletionRequest, job: ClaimedJob, context: JobContext) async throws -> RawJSON {
        RawJSON(try await completions.complete(payload).body)
    }
}
