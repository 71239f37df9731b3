import Broker
import Foundation

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
    /// The request body for `job`, or a non-retriable `JobError` saying what is wrong with it.
    ///
    /// `llm.chat`: the payload is a chat completion request. `llm.batch`: the payload is a
    /// batch line `{batch_id, custom_id, method, url, body}` whose `body` is one. Streaming is
    /// turned off: the job's result is the whole `chat.completion`.
    static func body(for job: ClaimedJob, model: LLMModelPolicy) throws(JobError) -> [UInt8] {
        guard let payload = (try? JSONSerialization.jsonObject(with: Data(job.payload.utf8))) as? [String: Any] else {
            throw invalid("the payload must be a JSON object")
        }
        var request: [String: Any]
        switch job.kind {
        case "llm.chat":
            request = payload
        case "llm.batch":
            let method = payload["method"] as? String ?? ""
            guard method.uppercased() == "POST" else { throw invalid("method: must be POST, got '\(method)'") }
            let url = payload["url"] as? String ?? ""
            guard url == "/v1/chat/completions" else {
                throw invalid("url: only /v1/chat/completions is served, got '\(url)'")
            }
            guard let body = payload["body"] as? [String: Any] else { throw invalid("body: must be a JSON object") }
            request = body
        default:
            throw JobError(
                code: "unsupported_kind", message: "the LLM dispatcher runs llm.chat and llm.batch, not \(job.kind)",
                retriable: false)
        }
        guard let messages = request["messages"] as? [Any], !messages.isEmpty else {
            throw invalid("messages: must be a non-empty array")
        }
        request.removeValue(forKey: "stream")
        request.removeValue(forKey: "stream_options")
        switch model {
        case .override(let name):
            request["model"] = name
        case .fillMissing(let name):
            if (request["model"] as? String ?? "").isEmpty { request["model"] = name }
        }
        guard let data = try? JSONSerialization.data(withJSONObject: request, options: [.withoutEscapingSlashes]) else {
            throw invalid("the request cannot be encoded as JSON")
        }
        return [UInt8](data)
    }

    static func invalid(_ message: String) -> JobError {
        JobError(code: "invalid_request", message: message, retriable: false)
    }
}
