import Foundation

extension OpenAIClient {
    /// The readiness probe of an LLM server the agent has just started: `GET /health` must
    /// answer 200, then a one-token chat completion for `model` must succeed (the model really
    /// generates).
    ///
    /// A server that says it is still loading — llama.cpp's 503 "Loading model" — is waited
    /// for, `/health` polled every `pollInterval`, for up to `loadingTimeout`. Any other failure
    /// (SGLang's bare 503 while it loads, a refused connection while vLLM loads, an error of the
    /// completion) is thrown at once: the caller probes again on its schedule.
    public func checkReady(
        model: String, timeout: Duration = .seconds(30), loadingTimeout: Duration = .seconds(600),
        pollInterval: Duration = .milliseconds(250)
    ) async throws {
        try await waitWhileLoading(timeout: loadingTimeout, pollInterval: pollInterval)
        let request: [String: Any] = [
            "model": model, "messages": [["role": "user", "content": "ping"]], "max_tokens": 1, "temperature": 0,
        ]
        let body = [UInt8](try JSONSerialization.data(withJSONObject: request))
        var single = configuration
        single.requestTimeout = timeout
        _ = try await OpenAIClient(http: http, configuration: single).chatCompletion(body, retry: .once)
    }

    /// Returns once `/health` answers 200; polls while the server answers that it is loading;
    /// throws any other answer, or the loading one when `timeout` has passed.
    func waitWhileLoading(timeout: Duration, pollInterval: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            let health = try await get("/health", timeout: .seconds(5))
            if health.status == 200 { return }
            let error = OpenAIClientError.from(status: health.status, headers: health.headers, body: health.body)
            guard error.kind == .loading, ContinuousClock.now + pollInterval < deadline else { throw error }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// The model name to send: `preferred` when the server lists it in `/v1/models`, else — when
    /// no name is preferred — the first one it lists (SGLang's `--served-model-name`, vLLM's
    /// too, llama.cpp's `--alias` or `-m` path). A preferred name the server does not list is a
    /// `notFound` error naming what it does serve.
    public func servedModel(preferring preferred: String? = nil) async throws -> String {
        let served = try await models()
        if let preferred {
            guard served.contains(preferred) else {
                throw OpenAIClientError(
                    kind: .notFound, status: 200,
                    message: "the server does not serve '\(preferred)'; /v1/models lists \(served.map { "'\($0)'" }.joined(separator: ", "))")
            }
            return preferred
        }
        guard let first = served.first else {
            throw OpenAIClientError(kind: .invalidResponse, status: 200, message: "/v1/models lists no model")
        }
        return first
    }
}
