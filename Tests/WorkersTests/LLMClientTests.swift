import CurlClient
import Emulators
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import Workers

@Suite("OpenAI client")
struct LLMClientTests {
    static let body = Array(#"{"model":"m","messages":[{"role":"user","content":"hello there"}],"max_tokens":5}"#.utf8)
    static let expected = EmulatedText.content(prompt: EmulatedText.promptText(messages: [("user", "hello there")]), count: 5)
    static let fast = RequestRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(10), maxDelay: .milliseconds(40))

    static func withClient(
        _ configuration: OpenAIEmulatorConfiguration = .init(
            model: "m", slots: 4, tokensPerSecond: 5_000, prefillMilliseconds: 1),
        _ body: @Sendable (OpenAIClient, CurlHTTPClient, String) async throws -> Void
    ) async throws {
        try await OpenAIEmulator.withRunning(configuration) { _, base in
            try await CurlHTTPClient.withClient { curl in
                try await body(OpenAIClient(http: curl, configuration: .init(baseURL: base, retry: fast)), curl, base)
            }
        }
    }

    static func inject(_ curl: CurlHTTPClient, _ base: String, _ fault: String) async throws {
        let response = try await curl.execute(
            .bytes("POST", base + "/emulator/faults", Array(fault.utf8), contentType: "application/json"))
        #expect(response.status == 200)
    }

    @Test("a completion comes back as the server's body, parsed")
    func completion() async throws {
        try await Self.withClient { client, _, _ in
            let response = try await client.chatCompletion(Self.body)
            #expect(response.attempts == 1)
            #expect(response.completion.choices.first?.message.content == Self.expected)
            #expect(response.completion.usage?.completion_tokens == 5)
            #expect(response.body.contains(#""object":"chat.completion""#))
            #expect(try await client.models() == ["m"])
        }
    }

    @Test(
        "429 (with Retry-After) and 503 are retried, then the request succeeds",
        arguments: [
            #"{"status":429,"count":2,"retry_after":0}"#, #"{"status":503,"count":3}"#, #"{"drop":true,"count":2}"#,
            #"{"status":500,"count":1}"#,
        ])
    func retries(fault: String) async throws {
        try await Self.withClient { client, curl, base in
            try await Self.inject(curl, base, fault)
            let events = Mutex<[OpenAIClientError.Kind]>([])
            let response = try await client.chatCompletion(Self.body) { event in
                if case .retrying(let error, _, _) = event { events.withLock { $0.append(error.kind) } }
            }
            let count = fault.contains(#""count":3"#) ? 3 : fault.contains(#""count":2"#) ? 2 : 1
            #expect(response.attempts == count + 1)
            #expect(events.withLock { $0.count } == count)
            #expect(response.completion.choices.first?.message.content == Self.expected)
        }
    }

    @Test("retries are bounded: the last error comes back with the attempts made")
    func bounded() async throws {
        try await Self.withClient { client, curl, base in
            try await Self.inject(curl, base, #"{"status":503,"count":10}"#)
            let error = await #expect(throws: OpenAIClientError.self) { try await client.chatCompletion(Self.body) }
            #expect(error?.kind == .unavailable)
            #expect(error?.attempts == 4)
            #expect(error?.isOverload == true)
        }
    }

    @Test(
        "400 is not retried and carries the server's message, in either error shape",
        arguments: [
            OpenAIEmulatorConfiguration.ErrorStyle.sglang, .openai,
        ])
    func badRequest(style: OpenAIEmulatorConfiguration.ErrorStyle) async throws {
        let configuration = OpenAIEmulatorConfiguration(model: "m", contextLength: 100, strictModel: true, errorStyle: style)
        try await Self.withClient(configuration) { client, _, _ in
            let events = Mutex(0)
            let error = await #expect(throws: OpenAIClientError.self) {
                try await client.chatCompletion(
                    Array(#"{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":500}"#.utf8)
                ) { _ in
                    events.withLock { $0 += 1 }
                }
            }
            #expect(error?.kind == .invalidRequest)
            #expect(error?.status == 400)
            #expect(error?.attempts == 1)
            #expect(
                error?.message.hasPrefix("Requested token count exceeds the model's maximum context length of 100 tokens") == true
            )
            #expect(events.withLock { $0 } == 0)
            let unknown = await #expect(throws: OpenAIClientError.self) {
                try await client.chatCompletion(Array(#"{"model":"x","messages":[{"role":"user","content":"x"}]}"#.utf8))
            }
            #expect(unknown?.kind == .notFound)
            #expect(unknown?.message == "The model `x` does not exist.")
        }
    }

    @Test("a streamed completion gathers to the same answer, with usage")
    func streaming() async throws {
        try await Self.withClient { client, curl, base in
            try await Self.inject(curl, base, #"{"status":429,"count":1,"retry_after":0}"#)
            let gathered = try await client.collect(try await client.streamChatCompletion(Self.body))
            #expect(gathered.content == Self.expected)
            #expect(gathered.role == "assistant")
            #expect(gathered.finishReason == "length")
            #expect(gathered.usage?.completion_tokens == 5)
            #expect(gathered.chunks == 8)  // role, 5 tokens, finish, usage
            let error = await #expect(throws: OpenAIClientError.self) {
                _ = try await client.streamChatCompletion(Array(#"{"messages":[]}"#.utf8))
            }
            #expect(error?.kind == .invalidRequest)
        }
    }

    @Test("nothing listening: a connection error, retried, then given up")
    func connectionRefused() async throws {
        try await CurlHTTPClient.withClient { curl in
            // Port 1 on loopback: nothing listens there.
            let client = OpenAIClient(http: curl, configuration: .init(baseURL: "http://127.0.0.1:1", retry: Self.fast))
            let error = await #expect(throws: OpenAIClientError.self) { try await client.chatCompletion(Self.body) }
            #expect(error?.kind == .connection)
            #expect(error?.attempts == 4)
        }
    }

    @Test("readiness: /health, then a one-token completion")
    func readiness() async throws {
        try await Self.withClient { client, curl, base in
            try await client.checkReady(model: "m")
            try await Self.inject(curl, base, #"{"status":500,"count":1}"#)
            let error = await #expect(throws: OpenAIClientError.self) { try await client.checkReady(model: "m") }
            #expect(error?.kind == .serverError)
        }
        let loading = OpenAIEmulatorConfiguration(model: "m", startupMilliseconds: 600_000)
        try await Self.withClient(loading) { client, _, _ in
            let error = await #expect(throws: OpenAIClientError.self) { try await client.checkReady(model: "m") }
            #expect(error?.kind == .unavailable)
            #expect(error?.status == 503)
        }
    }

    @Test("error classification across servers' shapes")
    func classification() {
        func classify(_ status: Int, _ body: String, headers: HTTPClientHeaders = [:]) -> OpenAIClientError {
            OpenAIClientError.from(
                status: status, headers: headers, body: Array(body.utf8), now: Date(timeIntervalSince1970: 1_000))
        }
        // llama.cpp answers some validation errors with 500 and says so in the body.
        let llama = classify(500, #"{"error":{"code":400,"message":"'messages' is required","type":"invalid_request_error"}}"#)
        #expect(llama.kind == .invalidRequest)
        #expect(llama.message == "'messages' is required")
        let crash = classify(
            500,
            #"{"object":"error","message":"Internal server error: CUDA","type":"InternalServerError","param":null,"code":500}"#)
        #expect(crash.kind == .serverError)
        #expect(crash.isRetriable)
        let flat = classify(400, #"{"object":"error","message":"bad","type":"Bad Request","param":null,"code":400}"#)
        #expect(flat.kind == .invalidRequest && flat.message == "bad" && flat.type == "Bad Request")
        #expect(classify(502, "<html>bad gateway</html>").kind == .unavailable)
        #expect(classify(401, #"{"error":{"message":"no key"}}"#).kind == .unauthorized)
        #expect(classify(429, "", headers: ["Retry-After": "2"]).retryAfter == .seconds(2))
        #expect(classify(429, "", headers: ["Retry-After": "Thu, 01 Jan 1970 00:16:50 GMT"]).retryAfter == .seconds(10))
        // A server's absurd wait is a day at most, never a trap converting it; a negative or NaN one is none.
        for absurd in ["1e300", "inf", "Fri, 31 Dec 9999 23:59:59 GMT"] {
            #expect(classify(429, "", headers: ["Retry-After": absurd]).retryAfter == OpenAIClientError.maxRetryAfter)
        }
        for none in ["-1", "nan", "soon", "T\u{07A9}GKZ}", "Thu, 01 Jan 1970 00:16:50 GMT\u{00E9}"] {
            #expect(classify(429, "", headers: ["Retry-After": none]).retryAfter == nil)
        }
        #expect(classify(418, "").isRetriable == false)
        // An empty message from the server is no message: the error names the body instead.
        #expect(
            classify(503, #"{"object":"error","message":"","type":"ServiceUnavailableError"}"#).message.contains(
                "ServiceUnavailableError"))
    }

    @Test("backoff doubles up to its cap, jittered into its upper half; Retry-After wins, capped")
    func backoff() {
        let policy = RequestRetryPolicy(
            maxAttempts: 6, baseDelay: .milliseconds(100), maxDelay: .seconds(1), maxRetryAfter: .seconds(5))
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, unit: 0) == .milliseconds(50))
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, unit: 1) == .milliseconds(100))
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, unit: 1) == .milliseconds(400))
        #expect(policy.delay(afterAttempt: 9, retryAfter: nil, unit: 1) == .seconds(1))
        #expect(policy.delay(afterAttempt: 9, retryAfter: nil, unit: 0) == .milliseconds(500))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(3), unit: 0.5) == .seconds(3))
        #expect(policy.delay(afterAttempt: 1, retryAfter: .seconds(30), unit: 0.5) == .seconds(5))
    }
}
