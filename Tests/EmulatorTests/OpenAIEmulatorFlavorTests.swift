import CurlClient
import Emulators
import Foundation
import Testing
import TestSupport

/// Each flavor against what its real server does: metrics names and shapes, start-up, error
/// bodies, streamed chunk shapes, `/v1/models`.
@Suite("OpenAI emulator flavors")
struct OpenAIEmulatorFlavorTests {
    typealias Flavor = OpenAIEmulatorConfiguration.Flavor

    static func configuration(_ flavor: Flavor, slots: Int = 4, tokensPerSecond: Double = 2_000, contextLength: Int = 32_768, startup: Int = 0)
        -> OpenAIEmulatorConfiguration
    {
        OpenAIEmulatorConfiguration(
            flavor: flavor, model: "m", slots: slots, tokensPerSecond: tokensPerSecond, prefillMilliseconds: 1,
            contextLength: contextLength, startupMilliseconds: startup)
    }

    static func get(_ curl: CurlHTTPClient, _ url: String) async throws -> HTTPClientResponse {
        try await curl.execute(HTTPClientRequest(url: url))
    }

    static func chunks(_ curl: CurlHTTPClient, _ base: String, _ body: String) async throws -> [[String: Any]] {
        let stream = try await curl.events(.bytes("POST", base + "/v1/chat/completions", Array(body.utf8), contentType: "application/json"))
        #expect(stream.head.status == 200)
        var data: [String] = []
        for try await event in stream.events { data.append(event.data) }
        #expect(data.last == "[DONE]")
        return data.dropLast().map { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] ?? [:] }
    }

    static func choice(_ chunk: [String: Any]) -> [String: Any]? { (chunk["choices"] as? [[String: Any]])?.first }

    @Test("/metrics: each flavor's names, labels and number format, with queued requests", arguments: Flavor.allCases)
    func metrics(flavor: Flavor) async throws {
        try await OpenAIEmulatorTests.withEmulator(Self.configuration(flavor, slots: 1, tokensPerSecond: 10)) { _, base, curl in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<3 {
                    group.addTask {
                        _ = try await OpenAIEmulatorTests.post(
                            curl, base, "/v1/chat/completions", #"{"messages":[{"role":"user","content":"q\#(index)"}],"max_tokens":30}"#)
                    }
                }
                // One running, two queued, for 3 s: long enough to read the page.
                try await eventually("all three arrived") {
                    let stats = OpenAIEmulatorTests.json(try await Self.get(curl, base + "/emulator/stats"))
                    return stats["running"] as? Int == 1 && stats["queued"] as? Int == 2
                }
                let text = try await Self.get(curl, base + "/metrics").text
                switch flavor {
                case .sglang:
                    #expect(text.contains("# TYPE sglang:num_running_reqs gauge\n"))
                    #expect(text.contains(#"sglang:num_running_reqs{model_name="m",engine_type="unified",tp_rank="0",pp_rank="0"} 1.0"#))
                    #expect(text.contains(#"sglang:num_queue_reqs{model_name="m",engine_type="unified",tp_rank="0",pp_rank="0"} 2.0"#))
                    #expect(!text.contains("vllm:") && !text.contains("llamacpp:"))
                case .vllm:
                    #expect(text.contains("# TYPE vllm:num_requests_running gauge\n"))
                    #expect(text.contains(#"vllm:num_requests_running{engine="0",model_name="m"} 1.0"#))
                    #expect(text.contains(#"vllm:num_requests_waiting{engine="0",model_name="m"} 2.0"#))
                    #expect(text.contains(#"vllm:kv_cache_usage_perc{engine="0",model_name="m"} 1.0"#))
                    #expect(!text.contains("sglang:") && !text.contains("llamacpp:"))
                case .llamacpp:
                    #expect(text.contains("# HELP llamacpp:requests_processing Number of requests processing.\n# TYPE llamacpp:requests_processing gauge\nllamacpp:requests_processing 1\n"))
                    #expect(text.contains("# TYPE llamacpp:requests_deferred gauge\nllamacpp:requests_deferred 2\n"))
                    #expect(text.contains("# TYPE llamacpp:prompt_tokens_total counter\n"))
                    #expect(text.contains("llamacpp:predicted_tokens_seconds 0\n"))
                    #expect(!text.contains("{") && !text.contains("sglang:") && !text.contains("vllm:"))
                }
                group.cancelAll()
            }
        }
    }

    @Test("llama.cpp while loading: 503 Loading model everywhere but /v1/models, then ready")
    func llamaCppLoading() async throws {
        // A load that outlasts any test; the test ends it when it has seen the loading answers.
        try await OpenAIEmulatorTests.withEmulator(Self.configuration(.llamacpp, startup: 600_000)) { emulator, base, curl in
            let chat = try await OpenAIEmulatorTests.post(curl, base, "/v1/chat/completions", #"{"messages":[{"role":"user","content":"x"}]}"#)
            for response in [try await Self.get(curl, base + "/health"), try await Self.get(curl, base + "/metrics"), chat] {
                #expect(response.status == 503)
                #expect(response.text == #"{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}"#)
            }
            let loadingModels = OpenAIEmulatorTests.json(try await Self.get(curl, base + "/v1/models"))
            #expect((loadingModels["data"] as? [[String: Any]])?.first?["meta"] is NSNull)
            emulator.finishLoading()
            #expect(try await Self.get(curl, base + "/health").status == 200)
            #expect(OpenAIEmulatorTests.json(try await Self.get(curl, base + "/health")) as? [String: String] == ["status": "ok"])
            let models = OpenAIEmulatorTests.json(try await Self.get(curl, base + "/v1/models"))
            let card = try #require((models["data"] as? [[String: Any]])?.first)
            #expect(card["id"] as? String == "m")
            #expect(card["owned_by"] as? String == "llamacpp")
            #expect(card["meta"] is [String: Any])
            #expect((models["models"] as? [[String: Any]])?.first?["name"] as? String == "m")
        }
    }

    @Test("vLLM while loading refuses connections; SGLang answers /health 503 with no body")
    func othersLoading() async throws {
        try await CurlHTTPClient.withClient { curl in
            let started = ContinuousClock.now
            try await OpenAIEmulator.withRunning(Self.configuration(.vllm, startup: 700)) { emulator, base in
                // withRunning returns once it listens: after the load.
                #expect(started.duration(to: .now) >= .milliseconds(700))
                #expect(try await Self.get(curl, base + "/health").status == 200)
                let models = OpenAIEmulatorTests.json(try await Self.get(curl, base + "/v1/models"))
                let card = try #require((models["data"] as? [[String: Any]])?.first)
                #expect(card["owned_by"] as? String == "vllm" && card["max_model_len"] as? Int == 32_768)
                #expect(card["permission"] is [[String: Any]])
            }
            try await OpenAIEmulator.withRunning(Self.configuration(.sglang, startup: 60_000)) { _, base in
                let health = try await Self.get(curl, base + "/health")
                #expect(health.status == 503 && health.body.isEmpty)
            }
        }
    }

    @Test("errors: llama.cpp 500 for a body that is not JSON and 400 exceed_context_size_error; vLLM and SGLang their 400s")
    func errors() async throws {
        try await OpenAIEmulatorTests.withEmulator(Self.configuration(.llamacpp, contextLength: 16)) { _, base, curl in
            let garbage = try await OpenAIEmulatorTests.post(curl, base, "/v1/chat/completions", "not json")
            #expect(garbage.status == 500)
            let error = try #require(OpenAIEmulatorTests.json(garbage)["error"] as? [String: Any])
            #expect(error["code"] as? Int == 500 && error["type"] as? String == "server_error")
            #expect((error["message"] as? String)?.hasPrefix("[json.exception.parse_error.101]") == true)
            let long = #"{"messages":[{"role":"user","content":"one two three four five six seven eight nine ten eleven twelve"}]}"#
            for body in [long, long.replacingOccurrences(of: "]}", with: #"],"stream":true}"#)] {
                let refused = try await OpenAIEmulatorTests.post(curl, base, "/v1/chat/completions", body)
                #expect(refused.status == 400)
                #expect(
                    refused.text
                        == #"{"error":{"code":400,"message":"request (16 tokens) exceeds the available context size (16 tokens), try increasing it","n_ctx":16,"n_prompt_tokens":16,"type":"exceed_context_size_error"}}"#)
            }
            // max_tokens past the context is not refused: the answer stops at the context.
            let fits = #"{"messages":[{"role":"user","content":"short"}],"max_tokens":500}"#
            let answer = OpenAIEmulatorTests.json(try await OpenAIEmulatorTests.post(curl, base, "/v1/chat/completions", fits))
            #expect((answer["usage"] as? [String: Any])?["completion_tokens"] as? Int == 11)
            #expect(Self.choice(answer)?["finish_reason"] as? String == "length")
            #expect(answer["timings"] is [String: Any] && answer["system_fingerprint"] is String)
        }
        let tooLong = #"{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":500}"#
        try await OpenAIEmulatorTests.withEmulator(Self.configuration(.vllm, contextLength: 100)) { _, base, curl in
            let refused = try await OpenAIEmulatorTests.post(curl, base, "/v1/chat/completions", tooLong)
            #expect(refused.status == 400)
            let error = try #require(OpenAIEmulatorTests.json(refused)["error"] as? [String: Any])
            #expect(error["type"] as? String == "BadRequestError" && error["code"] as? Int == 400)
            #expect(
                error["message"] as? String
                    == "This model's maximum context length is 100 tokens. However, you requested 505 tokens (5 in the messages, 500 in the completion). Please reduce the length of the messages or completion.")
            let unknown = try await OpenAIEmulatorTests.post(
                curl, base, "/v1/chat/completions", #"{"model":"other","messages":[{"role":"user","content":"x"}]}"#)
            #expect(unknown.status == 404)
            #expect((OpenAIEmulatorTests.json(unknown)["error"] as? [String: Any])?["type"] as? String == "NotFoundError")
        }
        try await OpenAIEmulatorTests.withEmulator(Self.configuration(.sglang, contextLength: 100)) { _, base, curl in
            let refused = OpenAIEmulatorTests.json(try await OpenAIEmulatorTests.post(curl, base, "/v1/chat/completions", tooLong))
            #expect(refused["object"] as? String == "error" && refused["type"] as? String == "BadRequestError")
            #expect((refused["message"] as? String)?.hasPrefix("Requested token count exceeds the model's maximum context length of 100 tokens") == true)
        }
    }

    @Test("streams: each flavor's chunk sequence, usage chunk when asked", arguments: Flavor.allCases)
    func streams(flavor: Flavor) async throws {
        try await OpenAIEmulatorTests.withEmulator(Self.configuration(flavor)) { _, base, curl in
            let plain = #"{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":3,"stream":true}"#
            let withUsage = plain.replacingOccurrences(of: #""stream":true"#, with: #""stream":true,"stream_options":{"include_usage":true}"#)
            let expected = EmulatedText.tokens(prompt: EmulatedText.promptText(messages: [("user", "hi")]), count: 3)
            for (body, usage) in [(plain, false), (withUsage, true)] {
                let chunks = try await Self.chunks(curl, base, body)
                #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" && $0["model"] as? String == "m" })
                let role = try #require(Self.choice(chunks[0])?["delta"] as? [String: Any])
                #expect(role["role"] as? String == "assistant")
                // llama.cpp's role chunk carries content null; the others an empty string.
                #expect(flavor == .llamacpp ? role["content"] is NSNull : role["content"] as? String == "")
                let tokens = chunks[1...3].compactMap { (Self.choice($0)?["delta"] as? [String: Any])?["content"] as? String }
                #expect(tokens == expected)
                var rest = Array(chunks.dropFirst(4))
                if flavor == .vllm {
                    // vLLM's finish reason rides on the last token.
                    #expect(Self.choice(chunks[3])?["finish_reason"] as? String == "length")
                    #expect(Self.choice(chunks[3])?["stop_reason"] is NSNull)
                } else {
                    let finish = try #require(rest.first.flatMap(Self.choice))
                    #expect(finish["finish_reason"] as? String == "length")
                    #expect((finish["delta"] as? [String: Any])?.isEmpty == true)
                    rest.removeFirst()
                }
                #expect(rest.count == (usage ? 1 : 0))
                if usage {
                    #expect((rest[0]["choices"] as? [Any])?.isEmpty == true)
                    #expect((rest[0]["usage"] as? [String: Any])?["completion_tokens"] as? Int == 3)
                }
                // llama.cpp: timings on the last chunk only, a fingerprint on all.
                let last = try #require(chunks.last)
                #expect((last["timings"] as? [String: Any])?["predicted_n"] as? Int == (flavor == .llamacpp ? 3 : nil))
                #expect(chunks.dropLast().allSatisfy { $0["timings"] == nil })
                #expect(chunks.allSatisfy { ($0["system_fingerprint"] != nil) == (flavor == .llamacpp) })
            }
        }
    }
}
