public import Broker
public import JobContracts

/// `llm.batch`: one line of an OpenAI batch; only chat completions are served.
public struct LLMBatchLineProcessor: JobProcessor {
    public typealias Contract = LLMBatchLine
    let completions: LLMCompletions

    public init(completions: LLMCompletions) {
        self.completions = completions
    }

    public func process(_ line: LLMBatchLine.Payload, job: ClaimedJob, context: JobContext) async throws -> RawJSON {
        guard line.method.uppercased() == "POST" else {
            throw LLMCompletions.invalid("method: must be POST, got '\(line.method)'")
        }
        guard line.url == "/v1/chat/completions" else {
            throw LLMCompletions.invalid("url: only /v1/chat/completions is served, got '\(line.url)'")
        }
        return RawJSON(try await completions.complete(line.body).body)
    }
}
