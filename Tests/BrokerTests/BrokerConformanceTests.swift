import Broker
import Foundation
import TestSupport
import Testing

/// The guarantees every `JobBroker` keeps, run against each implementation in `BrokerFixture`.
@Suite("Broker conformance")
struct BrokerConformanceTests {
    @Test("enqueue, claim, complete: the result is kept and the lease is fenced", arguments: BrokerFixture.allCases)
    func lifecycle(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let job = submission(payload: #"{"n":1}"#)
            let outcome = try await broker.enqueue([job])
            #expect(outcome == [EnqueueOutcome(id: job.id, created: true)])
            let claimed = try await broker.claimOne()
            #expect(claimed.id == job.id)
            #expect(claimed.payload == #"{"n":1}"#)
            #expect(claimed.attempt == 1)
            #expect(try await broker.job(queue: "q", id: job.id)?.state == .starting)
            let beat = try await broker.heartbeat(claimed.lease, progress: JobProgress(fraction: 0.5, message: "half"))
            #expect(!beat.cancelRequested)
            let running = try await broker.job(queue: "q", id: job.id)
            #expect(running?.state == .processing)
            #expect(running?.progress == 0.5)
            try await broker.complete(claimed.lease, result: #"{"ok":true}"#)
            let done = try #require(try await broker.job(queue: "q", id: job.id))
            #expect(done.state == .succeeded)
            #expect(done.result == #"{"ok":true}"#)
            // Once ended, the same lease is refused.
            await #expect { try await broker.complete(claimed.lease, result: nil) } throws: { error in
                (error as? BrokerError)?.code == .staleAttempt
            }
        }
    }

    @Test("a worker that vanishes is replaced after its lease; its late ack is refused", arguments: BrokerFixture.allCases)
    func leaseExpiryRedeliversAndFencesTheStaleWorker(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let job = submission(lease: 1_000)
            _ = try await broker.enqueue([job])
            let first = try await broker.claimOne(worker: "vanishing")
            // No heartbeat: wait for the lease to run out, then recover.
            try await eventually("lease recovered") { try await broker.recoverExpiredLeases(queue: "q") == 1 }
            let second = try await broker.claimOne(worker: "replacement")
            #expect(second.id == job.id)
            #expect(second.attempt == 2)
            #expect(second.lease.attemptID != first.lease.attemptID)
            for stale in [
                { try await broker.complete(first.lease, result: nil) },
                { _ = try await broker.heartbeat(first.lease, progress: nil) },
                { _ = try await broker.fail(first.lease, JobFailure(code: "x", message: "late")) },
            ] as [() async throws -> Void] {
                await #expect { try await stale() } throws: { ($0 as? BrokerError)?.code == .staleAttempt }
            }
            try await broker.complete(second.lease, result: nil)
            let done = try #require(try await broker.job(queue: "q", id: job.id))
            #expect(done.state == .succeeded)
            #expect(done.worker == "replacement")
            #expect(try await broker.depth(queue: "q").recoveredTotal == 1)
        }
    }

    @Test("heartbeats keep a job that runs longer than its lease", arguments: BrokerFixture.allCases)
    func heartbeatsExtendTheLease(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            // 6 s of work on a 4 s lease, a beat every 0.5 s: 3.5 s of slack, because CI's loaded
            // machine once held a 0.5 s sleep and a round trip for more than 2 s.
            _ = try await broker.enqueue([submission(lease: 4_000)])
            let claimed = try await broker.claimOne()
            for _ in 0..<12 {
                try await Task.sleep(for: .milliseconds(500))
                _ = try await broker.heartbeat(claimed.lease, progress: nil)
                #expect(try await broker.recoverExpiredLeases(queue: "q") == 0)
            }
            try await broker.complete(claimed.lease, result: nil)
        }
    }

    @Test("two submits with one idempotency key make one job; other tenants are separate", arguments: BrokerFixture.allCases)
    func idempotency(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let a = submission(idempotencyKey: "order-7")
            let b = submission(idempotencyKey: "order-7")
            let c = submission(idempotencyKey: "order-7", tenant: "other")
            let first = try await broker.enqueue([a])
            let second = try await broker.enqueue([b, c])
            #expect(first == [EnqueueOutcome(id: a.id, created: true)])
            #expect(second == [EnqueueOutcome(id: a.id, created: false), EnqueueOutcome(id: c.id, created: true)])
            #expect(try await broker.depth(queue: "q").queued == 2)
            #expect(try await broker.job(queue: "q", id: b.id) == nil)
            // The same id twice (a retried bulk call) is one job too.
            #expect(try await broker.enqueue([a]) == [EnqueueOutcome(id: a.id, created: false)])
        }
    }

    @Test("cancel: a queued job at once, a running one at its next heartbeat; idempotent", arguments: BrokerFixture.allCases)
    func cancel(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let waiting = submission()
            let running = submission()
            _ = try await broker.enqueue([running])
            let claimed = try await broker.claimOne()
            _ = try await broker.enqueue([waiting])
            #expect(try await broker.cancel(queue: "q", jobID: waiting.id) == .canceled)
            #expect(try await broker.cancel(queue: "q", jobID: waiting.id) == .alreadyFinished(.canceled))
            #expect(try await broker.claim(max: 10).isEmpty, "a canceled job is never claimed")

            #expect(try await broker.cancel(queue: "q", jobID: running.id) == .requested)
            #expect(try await broker.cancel(queue: "q", jobID: running.id) == .requested)
            let beat = try await broker.heartbeat(claimed.lease, progress: nil)
            #expect(beat.cancelRequested)
            let state = try await broker.fail(claimed.lease, JobFailure(code: "canceled", message: "stopped", disposition: .canceled))
            #expect(state == .canceled)
            await #expect { try await broker.cancel(queue: "q", jobID: JobID.make()) } throws: {
                ($0 as? BrokerError)?.code == .jobNotFound
            }
        }
    }

    @Test("a running job with a cancel request is canceled, not retried, when it fails", arguments: BrokerFixture.allCases)
    func cancelWinsOverRetry(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let job = submission()
            _ = try await broker.enqueue([job])
            let claimed = try await broker.claimOne()
            _ = try await broker.cancel(queue: "q", jobID: job.id)
            #expect(try await broker.fail(claimed.lease, JobFailure(code: "boom", message: "x", retriable: true)) == .canceled)
        }
    }

    @Test("a delayed job runs no earlier than due", arguments: BrokerFixture.allCases)
    func delayed(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let job = submission(delay: 400)
            _ = try await broker.enqueue([job])
            let scheduled = try #require(try await broker.job(queue: "q", id: job.id)?.scheduledMilliseconds)
            #expect(try await broker.depth(queue: "q").scheduled == 1)
            // A blocking claim wakes up for the due time by itself.
            let claimed = try await broker.claimOne()
            #expect(claimed.id == job.id)
            #expect(claimed.claimedMilliseconds >= scheduled)
        }
    }

    @Test("retries back off and run no earlier than due; out of attempts the job is dead; replay revives it", arguments: BrokerFixture.allCases)
    func retriesDeadLetterAndReplay(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let job = submission(maxAttempts: 2, backoff: BackoffPolicy(baseMilliseconds: 300, maxMilliseconds: 300))
            _ = try await broker.enqueue([job])
            let first = try await broker.claimOne()
            #expect(try await broker.fail(first.lease, JobFailure(code: "flaky", message: "try again")) == .retrying)
            let retrying = try #require(try await broker.job(queue: "q", id: job.id))
            #expect(retrying.state == .retrying)
            #expect(retrying.errorCode == "flaky")
            let due = try #require(retrying.scheduledMilliseconds)
            let second = try await broker.claimOne()
            #expect(second.attempt == 2)
            #expect(second.claimedMilliseconds >= due)
            #expect(try await broker.fail(second.lease, JobFailure(code: "flaky", message: "again")) == .dead)
            #expect(try await broker.deadJobs(queue: "q", limit: 10) == [job.id])
            #expect(try await broker.depth(queue: "q").dead == 1)

            try await broker.replay(queue: "q", jobID: job.id)
            #expect(try await broker.deadJobs(queue: "q", limit: 10).isEmpty)
            let third = try await broker.claimOne()
            #expect(third.attempt == 1, "replay starts a fresh set of attempts")
            try await broker.complete(third.lease, result: nil)
            await #expect { try await broker.replay(queue: "q", jobID: job.id) } throws: {
                ($0 as? BrokerError)?.code == .jobNotDead
            }
        }
    }

    @Test("a non-retriable failure ends the job as failed at once", arguments: BrokerFixture.allCases)
    func nonRetriableFailure(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let job = submission(maxAttempts: 5)
            _ = try await broker.enqueue([job])
            let claimed = try await broker.claimOne()
            #expect(try await broker.fail(claimed.lease, JobFailure(code: "bad_input", message: "no", retriable: false)) == .failed)
            let failed = try #require(try await broker.job(queue: "q", id: job.id))
            #expect(failed.errorCode == "bad_input")
            #expect(failed.errorRetriable == false)
        }
    }

    @Test("release gives the attempt back unspent", arguments: BrokerFixture.allCases)
    func release(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            _ = try await broker.enqueue([submission(maxAttempts: 1)])
            let first = try await broker.claimOne()
            #expect(try await broker.fail(first.lease, JobFailure(code: "draining", message: "mode switch", disposition: .release)) == .queued)
            let again = try await broker.claimOne()
            #expect(again.attempt == 1)
        }
    }

    @Test("progress checkpoints survive into the next attempt", arguments: BrokerFixture.allCases)
    func checkpoint(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            _ = try await broker.enqueue([submission(backoff: BackoffPolicy(baseMilliseconds: 0, maxMilliseconds: 0))])
            let first = try await broker.claimOne()
            #expect(first.checkpoint == nil)
            _ = try await broker.heartbeat(first.lease, progress: JobProgress(fraction: 0.3, message: "page 3", checkpoint: "page=3"))
            _ = try await broker.fail(first.lease, JobFailure(code: "oom", message: "retry"))
            let second = try await broker.claimOne()
            #expect(second.checkpoint == "page=3")
        }
    }

    @Test("higher priority first; equal priority in order", arguments: BrokerFixture.allCases)
    func priorities(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let low1 = submission(priority: 0)
            let low2 = submission(priority: 0)
            let high = submission(priority: 5)
            _ = try await broker.enqueue([low1])
            _ = try await broker.enqueue([low2])
            _ = try await broker.enqueue([high])
            let order = try await broker.claim(max: 3).map(\.id)
            #expect(order == [high.id, low1.id, low2.id])
        }
    }

    @Test("aging lets a low-priority job through a steady stream of high-priority ones", arguments: BrokerFixture.allCases)
    func agingPreventsStarvation(_ fixture: BrokerFixture) async throws {
        // 10 levels × 250 ms: the low job overtakes after about 2.5 s, long enough that a
        // stall of the loaded test machine (the suite also runs Redis clusters) before the first
        // claim cannot hand it out first.
        try await fixture.with(configure: { $0.agingMillisecondsPerPriority = 250 }) { broker in
            // Keep two high-priority jobs waiting at all times, and take one per round.
            _ = try await broker.enqueue([submission(priority: 10), submission(priority: 10)])
            let low = submission(priority: 0)
            _ = try await broker.enqueue([low])
            var highBeforeLow = 0
            var lowClaimed = false
            for _ in 0..<5_000 where !lowClaimed {
                _ = try await broker.enqueue([submission(priority: 10)])
                let claimed = try await broker.claimOne()
                if claimed.id == low.id {
                    lowClaimed = true
                } else {
                    highBeforeLow += 1
                }
                try await broker.complete(claimed.lease, result: nil)
                try await Task.sleep(for: .milliseconds(2))
            }
            #expect(lowClaimed, "the low-priority job starved")
            #expect(highBeforeLow > 0, "priority had no effect at all")
        }
    }

    @Test("a paused queue hands out nothing; resuming wakes a blocked consumer", arguments: BrokerFixture.allCases)
    func pauseResume(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            try await broker.setPaused(queue: "q", true)
            _ = try await broker.enqueue([submission()])
            #expect(try await broker.claim(max: 1).isEmpty)
            #expect(try await broker.depth(queue: "q").paused)
            try await broker.setPaused(queue: "q", false)
            #expect(try await broker.claim(max: 1).count == 1)
        }
    }

    @Test("one claim hands out several jobs; an idle consumer blocks until a job arrives", arguments: BrokerFixture.allCases)
    func batchedAndBlockingClaims(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            _ = try await broker.enqueue((0..<10).map { _ in submission() })
            #expect(try await broker.claim(max: 7).count == 7)
            #expect(try await broker.claim(max: 7).count == 3)
            let late = submission()
            try await withThrowingTaskGroup(of: [ClaimedJob].self) { group in
                group.addTask { try await broker.claim(max: 1, wait: .seconds(20)) }
                try await Task.sleep(for: .milliseconds(100))
                _ = try await broker.enqueue([late])
                let claimed = try await group.next()
                #expect(claimed?.map(\.id) == [late.id])
            }
        }
    }

    @Test("a job that waited past its wait timeout fails without running", arguments: BrokerFixture.allCases)
    func waitTimeout(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let job = submission(waitTimeout: 1)
            _ = try await broker.enqueue([job])
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await broker.claim(max: 1).isEmpty)
            let failed = try #require(try await broker.job(queue: "q", id: job.id))
            #expect(failed.state == .failed)
            #expect(failed.errorCode == "wait_timeout")
        }
    }

    @Test("depth by state and the oldest waiting age", arguments: BrokerFixture.allCases)
    func depth(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            _ = try await broker.enqueue([submission(), submission(), submission(delay: 60_000)])
            try await Task.sleep(for: .milliseconds(30))
            _ = try await broker.claim(max: 1)
            let depth = try await broker.depth(queue: "q")
            #expect(depth.queued == 1)
            #expect(depth.scheduled == 1)
            #expect(depth.active == 1)
            #expect(depth.enqueuedTotal == 3)
            #expect(depth.oldestQueuedMilliseconds >= 30)
            let empty = try await broker.depth(queue: "empty")
            #expect(empty.queued == 0 && empty.oldestQueuedMilliseconds == 0)
        }
    }
}
