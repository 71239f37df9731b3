public import CurlClient
import Foundation

/// A client of OpenAI-compatible chat completion servers (SGLang, vLLM, llama.cpp's server,
/// OpenAI itself) over libcurl.
///
/// Retries 429, 5xx, timeouts and broken connections with exponential backoff and jitter
/// (honouring `Retry-After`), up to the policy's bound; fails at once, with the server's
/// message, on the 4xx answers that another attempt would not change. Cancelling the calling
/// task aborts the request in flight.
public struct OpenAIClient: Sendable {
    public struct Configuration: Sendable {
        /// The server's root, e.g. `http://127.0.0.1:30000` (routes are appended: `/v1/…`).
        public var baseURL: String
        /// Sent as `Authorization: Bearer …` when set.
        public var apiKey: String?
        /// One attempt's limit; generation of long answers needs minutes.
        public var requestTimeout: Duration
        public var retry: RequestRetryPolicy

        public init(
            baseURL: String, apiKey: String? = nil, requestTimeout: Duration = .seconds(600),
            retry: RequestRetryPolicy = RequestRetryPolicy()
        ) {
            self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
            self.apiKey = apiKey
            self.requestTimeout = requestTimeout
            self.retry = retry
        }
    }

    /// What happens between attempts, for callers that adapt to it.
    public enum Event: Sendable {
        /// Attempt `attempt` failed with `error`; the next starts after `delay`.
        case retrying(OpenAIClientError, attempt: Int, delay: Duration)
    }

    public let configuration: Configuration
    let http: CurlHTTPClient

    /// `http` must allow as many concurrent transfers as requests the caller keeps in flight.
    public init(http: CurlHTTPClient, configuration: Configuration) {
        self.http = http
        self.configuration = configuration
    }

    /// `POST /v1/chat/completions` with `body` (a JSON request; `stream` must not be true).
    /// Returns the server's body once it parses as a chat completion.
    public func chatCompletion(
        _ body: [UInt8], retry: RequestRetryPolicy? = nil, onEvent: (@Sendable (Event) -> Void)? = nil
    ) async throws -> ChatCompletionResponse {
        let policy = retry ?? configuration.retry
        var attempt = 1
        while true {
            let started = ContinuousClock.now
            do {
                let response = try await attemptChatCompletion(body)
                return ChatCompletionResponse(
                    body: response.body, completion: response.completion, attempts: attempt,
                    latency: started.duration(to: .now))
            } catch var error as OpenAIClientError {
                error.attempts = attempt
                guard error.isRetriable, attempt < policy.maxAttempts else { throw error }
                let delay = policy.delay(afterAttempt: attempt, retryAfter: error.retryAfter, unit: Double.random(in: 0..<1))
                onEvent?(.retrying(error, attempt: attempt, delay: delay))
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// One attempt, no retry.
    func attemptChatCompletion(_ body: [UInt8]) async throws -> (body: String, completion: ChatCompletion) {
        let response = try await send(
            HTTPClientRequest.bytes("POST", url("/v1/chat/completions"), body, contentType: "application/json", headers: headers),
            timeout: configuration.requestTimeout)
        guard response.isSuccess else {
            throw OpenAIClientError.from(status: response.status, headers: response.headers, body: response.body)
        }
        do {
            let completion = try JSONDecoder().decode(ChatCompletion.self, from: Data(response.body))
            guard completion.object == "chat.completion" else {
                throw OpenAIClientError(
                    kind: .invalidResponse, status: response.status,
                    message: "expected a chat.completion, got object '\(completion.object)'")
            }
            return (response.text, completion)
        } catch let error as OpenAIClientError {
            throw error
        } catch {
            throw OpenAIClientError(
                kind: .invalidResponse, status: response.status,
                message: "the answer is not a chat completion: \(String(decoding: response.body.prefix(200), as: UTF8.self))")
        }
    }

    /// `GET /v1/models`: the served model ids.
    public func models() async throws -> [String] {
        let response = try await send(HTTPClientRequest(url: url("/v1/models"), headers: headers), timeout: .seconds(10))
        guard response.isSuccess else {
            throw OpenAIClientError.from(status: response.status, headers: response.headers, body: response.body)
        }
        struct List: Decodable {
            struct Model: Decodable { var id: String }
            var data: [Model]
        }
        guard let list = try? JSONDecoder().decode(List.self, from: Data(response.body)) else {
            throw OpenAIClientError(kind: .invalidResponse, status: response.status, message: "not a model list")
        }
        return list.data.map(\.id)
    }

    /// `GET path` (e.g. `/health`, `/metrics`) without retries: the status and body.
    public func get(_ path: String, timeout: Duration = .seconds(5)) async throws -> HTTPClientResponse {
        try await send(HTTPClientRequest(url: url(path), headers: headers), timeout: timeout)
    }

    func url(_ path: String) -> String { configuration.baseURL + path }

    var headers: HTTPClientHeaders {
        var headers: HTTPClientHeaders = ["Accept": "application/json"]
        if let apiKey = configuration.apiKey { headers.add("Authorization", "Bearer \(apiKey)") }
        return headers
    }

    /// Runs a request; a failed transfer becomes an `OpenAIClientError`, a cancelled one a
    /// `CancellationError`.
    /// Within a traced job, the call is a span of its trace and carries its `traceparent`
    /// (SGLang and vLLM continue it when started with their OpenTelemetry options).
    func send(_ request: HTTPClientRequest, timeout: Duration) async throws -> HTTPClientResponse {
        var request = request
        request.timeoutMilliseconds = Int(timeout / .milliseconds(1))
        do {
            return try await http.execute(request, tracedAs: "llm")
        } catch let error as CurlClientError {
            guard let classified = OpenAIClientError.from(error) else { throw CancellationError() }
            throw classified
        }
    }
}
