import Broker
import Foundation
import GPUBox
import TestSupport
import Testing

@testable import Workers

/// The LLM throughput the agent measures end to end: a real backlog on an emulated LLM server
/// whose speed the test sets, the agent's sampling loop, its published status and the advice.
extension BoxAgentTests {
    @Test("an llm box serving a backlog measures its lines per second per GPU, publishes it, and the advice uses it")
    func measuresLLMThroughput() async throws {
        // Two decode slots at 8 tokens/s over two GPUs: a 4-token line takes 0.5 s (plus the
        // emulated prefill), so the server ends under 2 lines/s per GPU, well under the
        // configured figure the advice would use otherwise (4).
        let fixture = try await AgentFixture.make(gpus: 2, mode: .llm) { configuration in
            configuration.autopilotIntervalMilliseconds = 200
            if let at = configuration.llm.command.firstIndex(of: "--slots") { configuration.llm.command[at + 1] = "2" }
            configuration.llm.command += ["--tokens-per-second", "8"]
        }
        try await fixture.withAgent { _ in
            let before = try await fixture.waitForMode(.llm)
            #expect(before.llmThroughput == nil)
            // About 10 s of backlog: the meter needs 5 saturated seconds and 20 lines.
            let lines = try await (0..<40).asyncMap { try await fixture.submitChat("line \($0)") }
            let measured = try await fixture.waitForBox("the box to publish its measured LLM throughput") {
                $0.llmThroughput != nil
            }
            let throughput = try #require(measured.llmThroughput)
            #expect(throughput.seconds >= 5 && throughput.lines >= 20)
            #expect(throughput.linesPerSecondPerGPU > 0.5 && throughput.linesPerSecondPerGPU <= 2.0)
            // The advice for the box plans with the measured figure, not the configured one.
            let view = try #require(try await fixture.store.box(fixture.configuration.box))
            let advice = try #require(try await ModeAdviceReader(broker: fixture.broker.broker).advice([view]).first)
            #expect(advice.costs.llmMeasured)
            #expect(advice.costs.llmLinesPerSecondPerGPU == view.status.llmThroughput?.linesPerSecondPerGPU)
            #expect(try await fixture.waitForJobs(lines, queue: "llm").allSatisfy { $0.state == .succeeded })
        }
    }
}
