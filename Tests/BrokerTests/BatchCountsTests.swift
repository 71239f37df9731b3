import Broker
import TestSupport
import Testing

/// A parent batch's children counted by the scripts as they move, against each broker.
@Suite("Broker batch counts")
struct BatchCountsTests {
    static func child(_ parent: String, delay: Int = 0, maxAttempts: Int = 3) -> JobSubmission {
        var job = submission(maxAttempts: maxAttempts, delay: delay)
        job.parentBatch = parent
        return job
    }

    @Test("every move of a child moves its batch's counts: claim, ack, fail, retry, cancel", arguments: BrokerFixture.allCases)
    func countsFollowTheChildren(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let children = (0..<5).map { _ in Self.child("b1") } + [Self.child("b1", delay: 60_000)]
            _ = try await broker.enqueue(children)
            // A repeat of an id adds nothing.
            _ = try await broker.enqueue([children[0]])
            #expect(try await broker.batchCounts(queue: "q", parents: ["b1"])["b1"] == BatchStateCounts(queued: 6))
            let claimed = try await broker.claim(max: 3)
            #expect(try await broker.batchCounts(queue: "q", parents: ["b1"])["b1"] == BatchStateCounts(queued: 3, running: 3))
            try await broker.complete(claimed[0].lease, result: nil)
            #expect(try await broker.fail(claimed[1].lease, JobFailure(code: "bad", message: "no", retriable: false)) == .failed)
            #expect(try await broker.fail(claimed[2].lease, JobFailure(code: "flaky", message: "again")) == .retrying)
            let waiting = children.first { job in !claimed.contains { $0.id == job.id } && job.delayMilliseconds == 0 }!
            #expect(try await broker.cancel(queue: "q", jobID: waiting.id) == .canceled)
            let counts = try #require(try await broker.batchCounts(queue: "q", parents: ["b1", "none"])["b1"])
            #expect(counts == BatchStateCounts(queued: 3, running: 0, succeeded: 1, failed: 1, canceled: 1))
            #expect(counts.total == 6 && counts.progress == 0.5)
            #expect(try await broker.batchCounts(queue: "q", parents: ["none"])["none"] == BatchStateCounts())
        }
    }

    @Test(
        "a child that dies, is replayed and canceled, or whose lease runs out, is counted where it is",
        arguments: BrokerFixture.allCases)
    func deadReplayAndRecovery(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let once = Self.child("b2", maxAttempts: 1)
            var leased = Self.child("b2")
            leased.leaseMilliseconds = 1_000
            _ = try await broker.enqueue([once, leased])
            let claimed = try await broker.claim(max: 2)
            let first = try #require(claimed.first { $0.id == once.id })
            #expect(try await broker.fail(first.lease, JobFailure(code: "flaky", message: "again")) == .dead)
            #expect(try await broker.batchCounts(queue: "q", parents: ["b2"])["b2"] == BatchStateCounts(running: 1, dead: 1))
            try await broker.replay(queue: "q", jobID: once.id)
            #expect(try await broker.batchCounts(queue: "q", parents: ["b2"])["b2"] == BatchStateCounts(queued: 1, running: 1))
            #expect(try await broker.cancel(queue: "q", jobID: once.id) == .canceled)
            try await eventually("the lease runs out") { try await broker.recoverExpiredLeases(queue: "q") == 1 }
            #expect(try await broker.batchCounts(queue: "q", parents: ["b2"])["b2"] == BatchStateCounts(queued: 1, canceled: 1))
        }
    }
}
