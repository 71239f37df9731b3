public import JobContracts
import VelocityTypes

/// The way to the LLM server that the dispatcher hands its processors: one chat completion,
/// sent with the box's model policy and streaming off, inside the dispatcher's window (its
/// latency and overloads steer the window), its size checked against the result limit.
public struct LLMCompletions: Sendable {
    let client: OpenAIClient
    let window: InFlightWindow
    let model: LLMModelPolicy
    let maxResultBytes: Int
    let windowMoved: @Sendable (Int) -> Void

    /// The server's `chat.completion` for `request`, or a non-retriable `invalid_request` for
    /// one the server should never see (no messages), or the client's error to classify.
    public func complete(_ request: ChatCompletionRequest) async throws -> ChatCompletionResponse {
        let response = try await client.chatCompletion(body(for: request)) { event in
            if case .retrying(let error, _, _) = event, error.isOverload { _ = window.observeOverload() }
        }
        let tokens = max(1, response.completion.usage?.completion_tokens ?? 1)
        if window.observeLatency(secondsPerToken: response.latency / .seconds(1) / Double(tokens)) != .held {
            windowMoved(window.limit)
        }
        guard response.body.utf8.count <= maxResultBytes else {
            throw JobError(
                code: "result_too_large",
                message: "the completion is \(response.body.utf8.count) bytes; results are limited to \(maxResultBytes)",
                retriable: false)
        }
        return response
    }

    /// The body sent for `request`: streaming off (a job's result is the whole completion) and
    /// the model named as the policy says.
    func body(for request: ChatCompletionRequest) throws -> [UInt8] {
        var request = request
        guard case .array(let messages) = request["messages"], !messages.isEmpty else {
            throw Self.invalid("messages: must be a non-empty array")
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
