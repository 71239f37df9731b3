import Emulators
import Foundation
import TestSupport
import Testing

@testable import Workers

/// A batch line the server refuses keeps the server's answer in the error file.
@Suite("LLM batches: the error file")
struct LLMBatchErrorFileTests {
    @Test("llama.cpp's 400 exceed_context_size_error reaches the error file as the line's response, status and type kept")
    func refusedLineKeepsTheServersAnswer() async throws {
        let emulator = OpenAIEmulatorConfiguration(
            flavor: .llamacpp, model: "m", slots: 4, tokensPerSecond: 2_000, prefillMilliseconds: 1, contextLength: 24)
        try await LLMGatewayFixture.run(emulator: emulator, window: .init(ceiling: 8, initial: 2)) { fixture, client in
            let long = (1...40).map { "word\($0)" }.joined(separator: " ")
            let id = try await fixture.createBatch(prompts: [("short", "say hi"), ("long", long)], client: client)
            try await eventually("the batch completes", limit: .seconds(60)) {
                try await fixture.batch(id, client: client)["status"] as? String == "completed"
            }
            let done = try await fixture.batch(id, client: client)
            #expect((done["request_counts"] as? [String: Int]) == ["total": 2, "completed": 1, "failed": 1])
            let errors = try await fixture.lines(ofFile: try #require(done["error_file_id"] as? String), client: client)
            let line = try #require(errors.first)
            #expect(errors.count == 1)
            #expect(line["custom_id"] as? String == "long")
            #expect(line["error"] is NSNull, "a refused request has an answer, not an error")
            let response = try #require(line["response"] as? [String: Any])
            #expect(response["status_code"] as? Int == 400)
            #expect((response["request_id"] as? String)?.isEmpty == false)
            let error = try #require((response["body"] as? [String: Any])?["error"] as? [String: Any])
            #expect(error["type"] as? String == "exceed_context_size_error")
            #expect(error["code"] as? Int == 400)
            #expect(error["n_ctx"] as? Int == 24)
            #expect((error["n_prompt_tokens"] as? Int ?? 0) > 24)
        }
    }
}
