import CurlClient
import Emulators
import Foundation
import Synchronization
import Testing
import TestSupport
@testable import Workers

/// The unchanged client against every emulated server: load from each `/metrics`, readiness
/// through llama.cpp's loading 503, its context-size refusal, the served model's name.
@Suite("OpenAI client across servers")
struct LLMFlavorClientTests {
    typealias Flavor = OpenAIEmulatorConfiguration.Flavor

    static func configuration(
        _ flavor: Flavor, model: String = "m", slots: Int = 4, tokensPerSecond: Double = 5_000, contextLength: Int = 32_768,
        startup: Int = 0
    ) -> OpenAIEmulatorConfiguration {
        OpenAIEmulatorConfiguration(
            flavor: flavor, model: model, slots: slots, tokensPerSecond: tokensPerSecond, prefillMilliseconds: 1,
            contextLength: contextLength, startupMilliseconds: startup)
    }

    @Test("ServerLoad reads running and queued from each server's /metrics", arguments: Flavor.allCases)
    func load(flavor: Flavor) async throws {
        try await LLMClientTests.withClient(Self.configuration(flavor, slots: 2, tokensPerSecond: 10)) { client, _, _ in
            let idle = try #require(ServerLoad.parse(try await client.get("/metrics").text))
            #expect(idle == ServerLoad(running: 0, queued: 0, source: ServerLoad.Source(rawValue: flavor.rawValue)!))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<5 {
                    group.addTask {
                        _ = try await client.chatCompletion(
                            Array(#"{"model":"m","messages":[{"role":"user","content":"load \#(index)"}],"max_tokens":40}"#.utf8),
                            retry: .once)
                    }
                }
                // Two decoding and three waiting for 4 s each: long enough to read the page.
                try await eventually("two run and three wait") {
                    ServerLoad.parse(try await client.get("/metrics").text).map { $0.running == 2 && $0.queued == 3 } ?? false
                }
                group.cancelAll()
            }
        }
    }

    @Test("ServerLoad on pages as the real servers print them")
    func loadFromText() {
        let llama = """
            # HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.
            # TYPE llamacpp:prompt_tokens_total counter
            llamacpp:prompt_tokens_total 25
            # HELP llamacpp:n_busy_slots_per_decode Average number of busy slots per llama_decode() call
            # TYPE llamacpp:n_busy_slots_per_decode counter
            llamacpp:n_busy_slots_per_decode 3.96
            # HELP llamacpp:requests_processing Number of requests processing.
            # TYPE llamacpp:requests_processing gauge
            llamacpp:requests_processing 4
            # HELP llamacpp:requests_deferred Number of requests deferred.
            # TYPE llamacpp:requests_deferred gauge
            llamacpp:requests_deferred 46
            """
        #expect(ServerLoad.parse(llama) == ServerLoad(running: 4, queued: 46, source: .llamacpp))
        let vllm = """
            vllm:num_requests_running{engine="0",model_name="m"} 3.0
            vllm:num_requests_running{engine="1",model_name="m"} 2.0
            vllm:num_requests_waiting{engine="0",model_name="m"} 1.0
            vllm:num_requests_waiting{engine="1",model_name="m"} 0.0
            """
        #expect(ServerLoad.parse(vllm) == ServerLoad(running: 5, queued: 1, source: .vllm))
        #expect(ServerLoad.parse("llamacpp:requests_processing 4\n") == nil)
    }

    @Test("readiness waits through llama.cpp's 503 Loading model, and gives up past its bound")
    func readinessWaitsForLoading() async throws {
        // The load lasts until the test ends it, so nothing here races a clock.
        try await OpenAIEmulator.withRunning(Self.configuration(.llamacpp, startup: 600_000)) { emulator, base in
            try await CurlHTTPClient.withClient { curl in
                let client = OpenAIClient(http: curl, configuration: .init(baseURL: base, retry: LLMClientTests.fast))
                let early = await #expect(throws: OpenAIClientError.self) {
                    try await client.checkReady(model: "m", loadingTimeout: .milliseconds(300), pollInterval: .milliseconds(50))
                }
                #expect(early?.kind == .loading)
                #expect(early?.isRetriable == true && early?.isOverload == false)
                // A probe that starts while loading keeps waiting (the load has no end of its
                // own), and passes once the load ends.
                let done = Flag()
                let probe = Task {
                    try await client.checkReady(model: "m", pollInterval: .milliseconds(20))
                    done.set()
                }
                try await Task.sleep(for: .milliseconds(300))
                #expect(!done.isSet)
                emulator.finishLoading()
                try await probe.value
                #expect(done.isSet)
            }
        }
    }

    @Test("llama.cpp's exceed_context_size_error: not retried, a stable code, both sizes named")
    func contextExceeded() async throws {
        try await LLMClientTests.withClient(Self.configuration(.llamacpp, contextLength: 12)) { client, _, _ in
            let body = Array(#"{"messages":[{"role":"user","content":"one two three four five six seven eight"}]}"#.utf8)
            let events = Mutex(0)
            let error = await #expect(throws: OpenAIClientError.self) {
                try await client.chatCompletion(body) { _ in events.withLock { $0 += 1 } }
            }
            #expect(error?.kind == .contextLengthExceeded)
            #expect(error?.code == "context_length_exceeded")
            #expect(error?.isRetriable == false)
            #expect(error?.attempts == 1 && events.withLock { $0 } == 0)
            #expect(error?.status == 400)
            #expect(error?.promptTokens == 12 && error?.contextTokens == 12)
            #expect(
                error?.message
                    == "the prompt is 12 tokens (n_prompt_tokens) and the server's context is 12 (n_ctx): request (12 tokens) exceeds the available context size (12 tokens), try increasing it")
            let streamed = await #expect(throws: OpenAIClientError.self) { _ = try await client.streamChatCompletion(body) }
            #expect(streamed?.kind == .contextLengthExceeded && streamed?.attempts == 1)
        }
    }

    @Test("the served model name comes from /v1/models", arguments: Flavor.allCases)
    func servedModel(flavor: Flavor) async throws {
        let name = flavor == .llamacpp ? "/models/llama-3.1-8b-instruct-Q4_K_M.gguf" : "llama-3.1-8b-instruct"
        try await LLMClientTests.withClient(Self.configuration(flavor, model: name)) { client, _, _ in
            #expect(try await client.servedModel() == name)
            #expect(try await client.servedModel(preferring: name) == name)
            let other = await #expect(throws: OpenAIClientError.self) { try await client.servedModel(preferring: "default") }
            #expect(other?.kind == .notFound)
            #expect(other?.message == "the server does not serve 'default'; /v1/models lists '\(name)'")
            // And the client reads that server's completions and streams unchanged.
            let request = Array(#"{"model":"\#(name)","messages":[{"role":"user","content":"hello"}],"max_tokens":4}"#.utf8)
            let response = try await client.chatCompletion(request)
            #expect(response.completion.model == name)
            #expect(response.completion.choices.first?.message.content == EmulatedText.content(prompt: "user: hello", count: 4))
            let gathered = try await client.collect(try await client.streamChatCompletion(request))
            #expect(gathered.content == response.completion.choices.first?.message.content)
            #expect(gathered.finishReason == "length" && gathered.usage?.completion_tokens == 4)
        }
    }

    @Test("classification of llama.cpp's loading and context answers")
    func classification() {
        let loading = OpenAIClientError.from(
            status: 503, headers: [:], body: Array(#"{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"#.utf8))
        #expect(loading.kind == .loading)
        let busy = OpenAIClientError.from(
            status: 503, headers: [:], body: Array(#"{"error":{"code":503,"message":"no slot available","type":"unavailable_error"}}"#.utf8))
        #expect(busy.kind == .unavailable && busy.isOverload)
        let exceeded = OpenAIClientError.from(
            status: 400, headers: [:],
            body: Array(#"{"error":{"code":400,"message":"request (4476 tokens) exceeds the available context size (4096 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":4476,"n_ctx":4096}}"#.utf8))
        #expect(exceeded.kind == .contextLengthExceeded && exceeded.promptTokens == 4476 && exceeded.contextTokens == 4096)
        #expect(exceeded.message.hasPrefix("the prompt is 4476 tokens (n_prompt_tokens) and the server's context is 4096 (n_ctx)"))
    }
}

/// A flag one task sets and another reads.
final class Flag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}
