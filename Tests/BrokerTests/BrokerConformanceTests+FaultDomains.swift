import Broker
import Foundation
import TestSupport
import Testing

/// A job that takes down the backends it runs on (a poison render crashing ComfyUI) ends dead
/// once it took down two different ones, however many attempts it has left.
extension BrokerConformanceTests {
    @Test(
        "a job that took down backends in two fault domains is dead at once; the same domain twice is only retried",
        arguments: BrokerFixture.allCases)
    func faultDomains(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let job = submission(maxAttempts: 10, backoff: BackoffPolicy(baseMilliseconds: 10, maxMilliseconds: 10))
            _ = try await broker.enqueue([job])
            func crash(on domain: String?, mode: JobFailure.Disposition = .retry) async throws -> JobState {
                let claimed = try await broker.claimOne()
                return try await broker.fail(
                    claimed.lease,
                    JobFailure(
                        code: "backend_crash", message: "comfyui exited during the render", disposition: mode,
                        delayMilliseconds: 10, faultDomain: domain))
            }
            #expect(try await crash(on: "box-1/gpu0") == .retrying)
            #expect(try await crash(on: "box-1/gpu0") == .retrying)
            // A drain gives the attempt back: no domain is recorded, whatever the worker said.
            #expect(try await crash(on: "box-1/gpu1", mode: .release) == .queued)
            #expect(try await crash(on: nil) == .retrying)
            let before = try #require(try await broker.job(queue: "q", id: job.id))
            #expect(before.faultDomains == ["box-1/gpu0"])
            #expect(before.state == .retrying)

            #expect(try await crash(on: "box-1/gpu1") == .dead)
            let dead = try #require(try await broker.job(queue: "q", id: job.id))
            #expect(dead.state == .dead)
            #expect(dead.attempts == 4, "four of ten attempts spent")
            #expect(dead.errorCode == "backend_crash")
            #expect(dead.faultDomains == ["box-1/gpu0", "box-1/gpu1"])
            #expect(dead.errorMessage?.contains("took down 2 backends: box-1/gpu0, box-1/gpu1") == true)
            #expect(try await broker.deadJobs(queue: "q", limit: 10) == [job.id])

            // A replay is a fresh start: the domains are forgotten with the attempts.
            try await broker.replay(queue: "q", jobID: job.id)
            #expect(try await crash(on: "box-1/gpu1") == .retrying)
            #expect(try await broker.job(queue: "q", id: job.id)?.faultDomains == ["box-1/gpu1"])
        }
    }
}
