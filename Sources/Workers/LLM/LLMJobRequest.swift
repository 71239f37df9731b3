import Broker
import JobContracts
import VelocityTypes

/// Which model name a request to the server carries.
public enum LLMModelPolicy: Sendable, Equatable {
    /// The job's own `model` if it names one, else this one.
    case fillMissing(String)
    /// Always this one: the box serves one model, and a server that checks names (vLLM) would
    /// refuse any other.
    case override(String)
}

/// Turns an LLM job's payload into the chat completion request sent to the server.
enum LLMJobRequest {
    /// The request body for `job`, or a non-retriable error saying what is wrong with it: a
    /// payload that does not fit its kind's contract (`invalid_payload`), or a request this
    /// dispatcher does not serve (`invalid_request`, `unsupported_kind`).
    ///
    /// `llm.chat`: the payload is a chat completion request. `llm.batch`: the payload is a
    /// batch line whose `body` is one. Streaming is turned off: the job's result is the whole
    /// `chat.completion`.
    static func body(for job: ClaimedJob, model: LLMModelPolicy) throws -> [UInt8] {
        var request: ChatCompletionRequest
        switch job.kind {
        case LLMChat.kind.name:
            request = try LLMChat.payload(fromJSON: job.payload)
        case LLMBatchLine.kind.name:
            let line = try LLMBatchLine.payload(fromJSON: job.payload)
            guard line.method.uppercased() == "POST" else { throw invalid("method: must be POST, got '\(line.method)'") }
            guard line.url == "/v1/chat/completions" else {
                throw invalid("url: only /v1/chat/completions is served, got '\(line.url)'")
            }
            request = line.body
        default:
            throw JobError(
                code: "unsupported_kind", message: "the LLM dispatcher runs llm.chat and llm.batch, not \(job.kind)",
                retriable: false)
        }
        guard case .array(let messages) = request["messages"], !messages.isEmpty else {
            throw invalid("messages: must be a non-empty array")
        }
        request["stream"] = nil
        request["stream_options"] = nil
        switch model {
        case .override(let name):
            request["model"] = .string(name)
        case .fillMissing(let name):
            if (request["model"]?.stringValue ?? "").isEmpty { request["model"] = .string(name) }
        }
        return JSONValue.object(request.fields).jsonBytes
    }

    static func invalid(_ message: String) -> JobError {
        JobError(code: "invalid_request", message: message, retriable: false)
    }
}
