import Broker
import Foundation
import GPUBox
import TestSupport
import Testing

@testable import Workers

/// Jobs that hurt their backends, through the agent and real emulator processes.
/// (In the box agent's serialized suite: agents with emulator processes run one at a time.)
extension BoxAgentTests {
    @Test("a render that crashes ComfyUI wherever it runs ends dead as backend_crash after two GPUs; others render")
    func poisonRenderIsDeadLettered() async throws {
        let fixture = try await AgentFixture.make(gpus: 2) { configuration in
            configuration.comfyUI.command += ["--fail-mode", "crash", "--fail-count", "0", "--fail-poison", "poison pill"]
        }
        try await fixture.withAgent { _ in
            _ = try await fixture.waitForMode(.media)
            let poison = try await fixture.submitRender(style: "poison pill", maxAttempts: 5)
            let healthy = try await fixture.submitRender()
            let jobs = try await fixture.waitForJobs([poison, healthy], queue: "media")
            let dead = jobs[0]
            #expect(dead.state == .dead)
            #expect(dead.errorCode == "backend_crash")
            #expect(dead.faultDomains.sorted() == ["\(fixture.configuration.box)/gpu0", "\(fixture.configuration.box)/gpu1"])
            #expect(dead.attempts >= 2 && dead.attempts < 5, "dead on its second GPU, not at its last attempt")
            #expect(dead.errorMessage?.contains("exited with status") == true)
            #expect(jobs[1].state == .succeeded)
            // Each attempt cost a restart; the box recovers and renders again.
            try await eventually("a restart per crash is published") {
                let restarts = try await fixture.store.box(fixture.configuration.box)?.status.backendRestarts
                return (restarts?.values.reduce(0, +) ?? 0) >= dead.attempts
            }
            _ = try await fixture.waitForMode(.media)
            let after = try await fixture.submitRender()
            #expect(try await fixture.waitForJobs([after], queue: "media").first?.state == .succeeded)
        }
    }
}
