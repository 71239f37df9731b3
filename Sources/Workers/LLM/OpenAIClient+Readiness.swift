import Foundation

extension OpenAIClient {
    /// The readiness probe of an LLM server the agent has just started: `GET /health` must
    /// answer 200 (SGLang and vLLM answer 503, or refuse the connection, while loading), then
    /// a one-token chat completion for `model` must succeed (the model really generates).
    /// Throws the first step's failure; no retries (the caller probes again on its schedule).
    public func checkReady(model: String, timeout: Duration = .seconds(30)) async throws {
        let health = try await get("/health", timeout: .seconds(5))
        guard health.status == 200 else {
            throw OpenAIClientError.from(status: health.status, headers: health.headers, body: health.body)
        }
        let request: [String: Any] = [
            "model": model, "messages": [["role": "user", "content": "ping"]], "max_tokens": 1, "temperature": 0,
        ]
        let body = [UInt8](try JSONSerialization.data(withJSONObject: request))
        var single = configuration
        single.requestTimeout = timeout
        _ = try await OpenAIClient(http: http, configuration: single).chatCompletion(body, retry: .once)
    }
}
