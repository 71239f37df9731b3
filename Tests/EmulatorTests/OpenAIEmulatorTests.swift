import CurlClient
import Emulators
import Foundation
import Synchronization
import TestSupport
import Testing

@Suite("OpenAI emulator")
struct OpenAIEmulatorTests {
    static let prompt =
        #"{"model":"m","messages":[{"role":"system","content":"be brief"},{"role":"user","content":"describe the room"}],"max_tokens":12}"#
    static let messages: [(role: String, content: String)] = [("system", "be brief"), ("user", "describe the room")]

    static func post(_ curl: CurlHTTPClient, _ base: String, _ path: String, _ body: String) async throws -> HTTPClientResponse {
        try await curl.execute(.bytes("POST", base + path, Array(body.utf8), contentType: "application/json"))
    }

    static func json(_ response: HTTPClientResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    }

    static func withEmulator(
        _ configuration: OpenAIEmulatorConfiguration = .init(
            model: "m", slots: 4, tokensPerSecond: 2_000, prefillMilliseconds: 1),
        _ body: @Sendable (OpenAIEmulator, String, CurlHTTPClient) async throws -> Void
    ) async throws {
        try await OpenAIEmulator.withRunning(configuration) { emulator, base in
            try await CurlHTTPClient.withClient { curl in try await body(emulator, base, curl) }
        }
    }

    @Test("a chat completion has the chat.completion shape and the prompt's deterministic answer")
    func nonStreaming() async throws {
        try await Self.withEmulator { _, base, curl in
            let response = try await Self.post(curl, base, "/v1/chat/completions", Self.prompt)
            #expect(response.status == 200)
            #expect(response.headers["Content-Type"] == "application/json")
            let body = Self.json(response)
            #expect((body["id"] as? String)?.hasPrefix("chatcmpl-") == true)
            #expect(body["object"] as? String == "chat.completion")
            #expect(body["created"] is Int)
            #expect(body["model"] as? String == "m")
            let choice = try #require((body["choices"] as? [[String: Any]])?.first)
            #expect(choice["index"] as? Int == 0)
            #expect(choice["logprobs"] is NSNull)
            #expect(choice["finish_reason"] as? String == "length")
            let message = try #require(choice["message"] as? [String: Any])
            #expect(message["role"] as? String == "assistant")
            let expected = EmulatedText.content(prompt: EmulatedText.promptText(messages: Self.messages), count: 12)
            #expect(message["content"] as? String == expected)
            #expect(expected.split(separator: " ").count == 12)
            let usage = try #require(body["usage"] as? [String: Int])
            let promptTokens = EmulatedText.promptTokens(messages: Self.messages)
            #expect(usage == ["prompt_tokens": promptTokens, "completion_tokens": 12, "total_tokens": promptTokens + 12])
            // The same request, the same answer.
            let again = Self.json(try await Self.post(curl, base, "/v1/chat/completions", Self.prompt))
            #expect(
                ((again["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String == expected)
        }
    }

    @Test("a streamed completion: role chunk, one chunk per token, finish chunk, usage chunk, [DONE]")
    func streaming() async throws {
        try await Self.withEmulator { _, base, curl in
            let body = Self.prompt.replacingOccurrences(
                of: #""max_tokens":12"#, with: #""max_tokens":12,"stream":true,"stream_options":{"include_usage":true}"#)
            let stream = try await curl.events(
                .bytes("POST", base + "/v1/chat/completions", Array(body.utf8), contentType: "application/json"))
            #expect(stream.head.status == 200)
            #expect(stream.head.headers["Content-Type"] == "text/event-stream")
            var data: [String] = []
            for try await event in stream.events { data.append(event.data) }
            #expect(data.last == "[DONE]")
            let chunks: [[String: Any]] = data.dropLast().map { text in
                let object = try? JSONSerialization.jsonObject(with: Data(text.utf8))
                return object as? [String: Any] ?? [:]
            }
            #expect(chunks.count == 15)  // role, 12 tokens, finish, usage
            #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
            #expect(Set(chunks.compactMap { $0["id"] as? String }).count == 1)
            func choice(_ chunk: [String: Any]) -> [String: Any]? { (chunk["choices"] as? [[String: Any]])?.first }
            #expect(choice(chunks[0])?["delta"] as? [String: String] == ["role": "assistant", "content": ""])
            let content = chunks[1...12].compactMap { (choice($0)?["delta"] as? [String: Any])?["content"] as? String }.joined()
            #expect(content == EmulatedText.content(prompt: EmulatedText.promptText(messages: Self.messages), count: 12))
            #expect(chunks[1...12].allSatisfy { choice($0)?["finish_reason"] is NSNull })
            #expect(choice(chunks[13])?["finish_reason"] as? String == "length")
            #expect((choice(chunks[13])?["delta"] as? [String: Any])?.isEmpty == true)
            #expect((chunks[14]["choices"] as? [Any])?.isEmpty == true)
            #expect((chunks[14]["usage"] as? [String: Int])?["completion_tokens"] == 12)
        }
    }

    @Test("bad requests get 400 in SGLang's flat error shape, or OpenAI's nested one")
    func errors() async throws {
        try await Self.withEmulator { _, base, curl in
            for body in [
                #"{"model":"m"}"#, #"{"messages":[]}"#, "not json",
                #"{"messages":[{"role":"user","content":"x"}],"max_tokens":0}"#,
                #"{"messages":[{"role":"user","content":"x"}],"max_tokens":100000}"#,
                #"{"messages":[{"role":"robot","content":"x"}]}"#,
            ] {
                let response = try await Self.post(curl, base, "/v1/chat/completions", body)
                #expect(response.status == 400, "\(body)")
                let error = Self.json(response)
                #expect(error["object"] as? String == "error", "\(body)")
                #expect(error["code"] as? Int == 400)
                #expect((error["message"] as? String)?.isEmpty == false)
                #expect(error["type"] is String)
            }
        }
        let strict = OpenAIEmulatorConfiguration(model: "m", strictModel: true, errorStyle: .openai)
        try await Self.withEmulator(strict) { _, base, curl in
            let unknown = try await Self.post(
                curl, base, "/v1/chat/completions", #"{"model":"other","messages":[{"role":"user","content":"x"}]}"#)
            #expect(unknown.status == 404)
            let error = try #require(Self.json(unknown)["error"] as? [String: Any])
            #expect(error["message"] as? String == "The model `other` does not exist.")
            #expect(error["type"] as? String == "invalid_request_error")
            #expect(error["param"] as? String == "model")
            let bad = try await Self.post(curl, base, "/v1/chat/completions", #"{"model":"m"}"#)
            #expect(bad.status == 400)
            #expect((Self.json(bad)["error"] as? [String: Any])?["type"] as? String == "invalid_request_error")
        }
    }

    @Test("past its slots requests queue first-come first-served, and /metrics shows it")
    func capacityQueueing() async throws {
        // Each request holds its slot for 5 s: long enough that all five are in before the first
        // ends, on any machine that is not stalled for seconds.
        let configuration = OpenAIEmulatorConfiguration(
            model: "m", slots: 2, tokensPerSecond: 20, prefillMilliseconds: 0, vllmMetrics: true)
        try await Self.withEmulator(configuration) { emulator, base, curl in
            let ids = IDLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<5 {
                    group.addTask {
                        let response = try await Self.post(
                            curl, base, "/v1/chat/completions",
                            #"{"messages":[{"role":"user","content":"request \#(index)"}],"max_tokens":100}"#)
                        #expect(response.status == 200)
                        ids.set(index, Self.json(response)["id"] as? String ?? "")
                    }
                    // The next request is sent once this one is running, queued or done.
                    try await eventually("request \(index) arrived") {
                        let stats = Self.json(try await curl.execute(HTTPClientRequest(url: base + "/emulator/stats")))
                        let seen = ["running", "queued", "completed"].reduce(0) { $0 + (stats[$1] as? Int ?? 0) }
                        return seen == index + 1
                    }
                    // Arrivals 500 ms apart: a loaded machine's scheduling jitter (the suite runs
                    // Redis clusters too) cannot swap two completions, and all five are still in
                    // within the first request's 5 s.
                    try await Task.sleep(for: .milliseconds(500))
                }
                let load = try await Self.metrics(curl, base)
                let completed =
                    Self.json(try await curl.execute(HTTPClientRequest(url: base + "/emulator/stats")))["completed"] as? Int
                if completed == 0 {
                    #expect(load.running == 2)
                    #expect(load.queued == 3)
                }
                try await group.waitForAll()
            }
            // The order the server gave out its slots (each answer's arrival at the client may
            // come later than its slot's end on a loaded machine, so that order proves nothing).
            let stats = Self.json(try await curl.execute(HTTPClientRequest(url: base + "/emulator/stats")))
            let granted = (stats["recent_grants"] as? [String] ?? []).map { ids.index(of: $0) }
            #expect(granted == [0, 1, 2, 3, 4])
            let text = try await curl.execute(HTTPClientRequest(url: base + "/metrics")).text
            #expect(text.contains(#"sglang:num_running_reqs{model_name="m",engine_type="unified",tp_rank="0",pp_rank="0"} 0.0"#))
            #expect(text.contains(#"sglang:num_queue_reqs{model_name="m",engine_type="unified",tp_rank="0",pp_rank="0"} 0.0"#))
            #expect(text.contains("# TYPE sglang:gen_throughput gauge"))
            #expect(text.contains("# TYPE sglang:token_usage gauge"))
            #expect(text.contains(#"sglang:generation_tokens_total{model_name="m"} 500.0"#))
            #expect(text.contains(#"vllm:num_requests_waiting{engine="0",model_name="m"} 0.0"#))
            #expect(text.contains(#"vllm:num_requests_running{engine="0",model_name="m"} 0.0"#))
            #expect(emulator.configuration.slots == 2)
        }
    }

    static func metrics(_ curl: CurlHTTPClient, _ base: String) async throws -> (running: Int, queued: Int) {
        let text = try await curl.execute(HTTPClientRequest(url: base + "/metrics")).text
        func value(_ name: String) -> Int {
            for line in text.split(separator: "\n") where line.hasPrefix(name + "{") {
                return Int(Double(line.split(separator: " ").last ?? "0") ?? 0)
            }
            return -1
        }
        return (value("sglang:num_running_reqs"), value("sglang:num_queue_reqs"))
    }

    @Test("injected faults: statuses with Retry-After, then normal answers; capacity and health routes")
    func faultsAndRoutes() async throws {
        let configuration = OpenAIEmulatorConfiguration(
            model: "m", slots: 32, tokensPerSecond: 200, prefillMilliseconds: 40, startupMilliseconds: 60_000)
        try await Self.withEmulator(configuration) { _, base, curl in
            let fault = try await Self.post(curl, base, "/emulator/faults", #"{"status":429,"count":2,"retry_after":3}"#)
            #expect(fault.status == 200)
            _ = try await Self.post(curl, base, "/emulator/faults", #"{"status":503}"#)
            let chat = #"{"messages":[{"role":"user","content":"x"}],"max_tokens":1}"#
            for expected in [429, 429, 503, 200] {
                let response = try await Self.post(curl, base, "/v1/chat/completions", chat)
                #expect(response.status == expected)
                if expected == 429 { #expect(response.headers["Retry-After"] == "3") }
            }
            #expect(try await Self.post(curl, base, "/emulator/faults", #"{"nothing":1}"#).status == 400)

            let capacity = Self.json(try await curl.execute(HTTPClientRequest(url: base + "/emulator/capacity?max_tokens=100")))
            // 32 slots, each request 0.04 s + 100 / 200 s.
            #expect(capacity["slots"] as? Int == 32)
            #expect(abs((capacity["requests_per_second"] as? Double ?? 0) - 32 / 0.54) < 1e-6)
            #expect(abs((capacity["tokens_per_second"] as? Double ?? 0) - 3_200 / 0.54) < 1e-6)

            #expect(try await curl.execute(HTTPClientRequest(url: base + "/health")).status == 503)
            let models = Self.json(try await curl.execute(HTTPClientRequest(url: base + "/v1/models")))
            #expect(models["object"] as? String == "list")
            #expect((models["data"] as? [[String: Any]])?.first?["id"] as? String == "m")
            let info = Self.json(try await curl.execute(HTTPClientRequest(url: base + "/get_server_info")))
            #expect(info["max_running_requests"] as? Int == 32)
        }
        try await Self.withEmulator { _, base, curl in
            let health = try await curl.execute(HTTPClientRequest(url: base + "/health"))
            let generate = try await curl.execute(HTTPClientRequest(url: base + "/health_generate"))
            #expect(health.status == 200)
            #expect(generate.status == 200)
        }
    }
}

/// The chat id each numbered request was answered with.
final class IDLog: Sendable {
    private let state = Mutex<[Int: String]>([:])
    func set(_ index: Int, _ id: String) { state.withLock { $0[index] = id } }
    /// The request answered with `id`; -1 for none.
    func index(of id: String) -> Int { state.withLock { $0.first { $0.value == id }?.key ?? -1 } }
}
