import Broker
import Emulators
import Foundation
import Producer
import Testing
import TestSupport
@testable import Workers

/// The same dispatcher, unchanged, against each emulated server.
@Suite("LLM dispatcher across servers")
struct LLMDispatcherFlavorTests {
    typealias Flavor = OpenAIEmulatorConfiguration.Flavor

    @Test("chat and batch jobs complete against each server, the window on its own metrics", arguments: Flavor.allCases)
    func completes(flavor: Flavor) async throws {
        let emulator = OpenAIEmulatorConfiguration(flavor: flavor, model: "m", slots: 4, tokensPerSecond: 2_000, prefillMilliseconds: 1)
        try await LLMDispatcherTests.withDispatcher(emulator: emulator) { test, producer, _, _, recorder in
            var requests = (0..<6).map { JobRequest(kind: "llm.chat", payload: LLMDispatcherTests.chat("chat \($0)", model: "other")) }
            requests.append(
                JobRequest(
                    kind: "llm.batch",
                    payload: #"{"batch_id":"b1","custom_id":"c1","method":"POST","url":"/v1/chat/completions","body":\#(LLMDispatcherTests.chat("line"))}"#))
            let receipts = try await producer.submit(requests)
            let done = try await LLMDispatcherTests.waitFor(test.broker, receipts.map(\.id), in: [.succeeded])
            for (index, snapshot) in done.enumerated() {
                let completion = try JSONDecoder().decode(ChatCompletion.self, from: Data(try #require(snapshot.result).utf8))
                #expect(completion.object == "chat.completion")
                #expect(completion.model == "m")
                let text = index < 6 ? "chat \(index)" : "line"
                #expect(completion.choices.first?.message.content == LLMDispatcherTests.content(text, 4))
                #expect(snapshot.attempts == 1)
            }
            // The window ran on the server's own gauges, whichever names they have.
            #expect(recorder.events.contains(.mode(metrics: true)))
            #expect(!recorder.events.contains(.mode(metrics: false)))
        }
    }

    @Test("llama.cpp: a prompt over the context fails at once; a job sent while it loads waits for it")
    func llamaCpp() async throws {
        let emulator = OpenAIEmulatorConfiguration(
            flavor: .llamacpp, model: "m", slots: 4, tokensPerSecond: 2_000, prefillMilliseconds: 1, contextLength: 16,
            startupMilliseconds: 600_000)
        try await LLMDispatcherTests.withDispatcher(emulator: emulator) { test, producer, server, _, recorder in
            // Sent while the model loads: the 503 "Loading model" gives the job back unspent and
            // claiming waits for /health; once the test ends the load, it runs.
            let early = try await producer.submit(JobRequest(kind: "llm.chat", payload: LLMDispatcherTests.chat("early"), maxAttempts: 1))
            try await eventually("the dispatcher found the server loading") {
                recorder.events.contains { if case .serverDown = $0 { true } else { false } }
            }
            server.finishLoading()
            let done = try await LLMDispatcherTests.waitFor(test.broker, [early.id], in: [.succeeded])
            #expect(done[0].attempts == 1)
            #expect(recorder.events.contains(.serverUp))
            let long = LLMDispatcherTests.chat("one two three four five six seven eight nine ten eleven twelve")
            let refused = try await producer.submit(JobRequest(kind: "llm.chat", payload: long))
            let failed = try await LLMDispatcherTests.waitFor(test.broker, [refused.id], in: [.failed])
            #expect(failed[0].errorCode == "context_length_exceeded")
            #expect(failed[0].errorRetriable == false)
            #expect(failed[0].attempts == 1)
            #expect(failed[0].errorMessage?.contains("16 tokens (n_prompt_tokens)") == true)
            #expect(failed[0].errorMessage?.contains("16 (n_ctx)") == true)
        }
    }
}
