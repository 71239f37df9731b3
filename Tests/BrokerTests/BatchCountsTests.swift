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

    @Test(
        "a batch's window is read while children are open, earliest due first, and dropped once none is; bad windows are refused",
        arguments: BrokerFixture.allCases)
    func windows(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let late = (0..<2).map { _ in Self.child("late") }
            let soon = [Self.child("soon")]
            _ = try await broker.enqueue(late + soon)
            try await broker.setBatchWindow(queue: "q", parent: "late", dueMilliseconds: 2_000_000_000_000)
            try await broker.setBatchWindow(queue: "q", parent: "soon", dueMilliseconds: 1_900_000_000_000)
            // A window for a batch with no child yet is not open work.
            try await broker.setBatchWindow(queue: "q", parent: "empty", dueMilliseconds: 1_800_000_000_000)
            var open = try await broker.openBatches(queue: "q", limit: 10)
            #expect(open.map(\.parent) == ["soon", "late"])
            #expect(open.map(\.dueMilliseconds) == [1_900_000_000_000, 2_000_000_000_000])
            #expect(open.map(\.open) == [1, 2])
            #expect(try await broker.openBatches(queue: "q", limit: 1).map(\.parent) == ["soon"])
            // The counts read as before: the window is a field they ignore.
            #expect(try await broker.batchCounts(queue: "q", parents: ["late"])["late"] == BatchStateCounts(queued: 2))

            // A window set again moves; a batch whose children have all ended leaves the index.
            try await broker.setBatchWindow(queue: "q", parent: "late", dueMilliseconds: 1_950_000_000_000)
            for _ in 0..<3 { try await broker.complete(try await broker.claimOne().lease, result: nil) }
            open = try await broker.openBatches(queue: "q", limit: 10)
            #expect(open.isEmpty)

            // A retry keeps its batch open.
            let flaky = Self.child("retry")
            _ = try await broker.enqueue([flaky])
            try await broker.setBatchWindow(queue: "q", parent: "retry", dueMilliseconds: 1_950_000_000_000)
            #expect(try await broker.fail(try await broker.claimOne().lease, JobFailure(code: "flaky", message: "again")) == .retrying)
            #expect(try await broker.openBatches(queue: "q", limit: 10).map(\.open) == [1])

            // Refused, nothing stored.
            await #expect { try await broker.setBatchWindow(queue: "q", parent: "", dueMilliseconds: 1) } throws: {
                ($0 as? BrokerError)?.field == "parent_batch"
            }
            await #expect { try await broker.setBatchWindow(queue: "q", parent: "bad", dueMilliseconds: 0) } throws: {
                ($0 as? BrokerError)?.field == "due_ms"
            }
            #expect(try await broker.openBatches(queue: "q", limit: 10).map(\.parent) == ["retry"])

            // A window closed longer than a result TTL ago is dropped, open children or not.
            _ = try await broker.enqueue([Self.child("ancient")])
            try await broker.setBatchWindow(queue: "q", parent: "ancient", dueMilliseconds: 1_600_000_000_000)
            #expect(try await broker.openBatches(queue: "q", limit: 10).map(\.parent) == ["retry"])
        }
    }
}
