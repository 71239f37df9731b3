import Broker
import Foundation
import TestSupport
import Testing

/// Redis-specific bounds and refusals of the broker.
@Suite("Redis broker")
struct RedisBrokerTests {
    @Test("the event stream is capped")
    func eventsAreCapped() async throws {
        try await BrokerFixture.redis.with(configure: { $0.eventsMaxLength = 100 }) { broker in
            _ = try await broker.enqueue((0..<1_000).map { _ in submission() })
            let length = try await broker.send(RedisCommand("XLEN", [broker.keys("q").events])).int ?? 0
            #expect(length > 0)
            #expect(length < 1_000, "XADD MAXLEN ~ must trim")
        }
    }

    @Test("finished jobs expire after the result TTL; an oversized result is refused and changes nothing")
    func resultTTLAndSizeCap() async throws {
        try await BrokerFixture.redis.with(configure: {
            $0.resultTTLSeconds = 60
            $0.maxResultBytes = 16
        }) { broker in
            let job = submission()
            _ = try await broker.enqueue([job])
            let claimed = try await broker.claimOne()
            await #expect { try await broker.complete(claimed.lease, result: String(repeating: "x", count: 17)) } throws: {
                ($0 as? BrokerError)?.code == .resultTooLarge
            }
            #expect(try await broker.job(queue: "q", id: job.id)?.state == .starting)
            try await broker.complete(claimed.lease, result: #"{"a":1}"#)
            let ttl = try await broker.send(RedisCommand("TTL", [broker.keys("q").job(job.id)])).int ?? -1
            #expect((1...60).contains(ttl))
        }
    }

    @Test("dead jobs beyond the retention are deleted, oldest first")
    func deadRetention() async throws {
        try await BrokerFixture.redis.with(configure: { $0.deadRetention = 2 }) { broker in
            let jobs = (0..<3).map { _ in submission(maxAttempts: 1) }
            for job in jobs {
                _ = try await broker.enqueue([job])
                let claimed = try await broker.claimOne()
                #expect(try await broker.fail(claimed.lease, JobFailure(code: "x", message: "y")) == .dead)
            }
            #expect(try await broker.deadJobs(queue: "q", limit: 10) == [jobs[1].id, jobs[2].id])
            #expect(try await broker.job(queue: "q", id: jobs[0].id) == nil)
        }
    }

    @Test("a batch's leases, ends, counters and the finished index's trim are written by the call that made them")
    func writesGatheredPerCall() async throws {
        try await BrokerFixture.redis.with(configure: { $0.finishedRetention = 2 }) { broker in
            let keys = broker.keys("q")
            let jobs = (0..<5).map { _ in submission() }
            _ = try await broker.enqueue(jobs)
            let claimed = try await broker.claim(max: 5)
            #expect(claimed.count == 5)
            // One claim call: five leases, each with its own attempt id.
            #expect(try await broker.send(RedisCommand("ZCARD", [keys.active])).int == 5)
            #expect(Set(claimed.map(\.lease.attemptID)).count == 5)
            let refused = try await broker.complete(claimed.map { JobCompletion(lease: $0.lease, result: #"{"n":1}"#) })
            #expect(refused.allSatisfy { $0 == nil })
            // One completion call: no lease left, five successes counted, the finished index
            // trimmed to its newest two, and every job's hash kept (the trim keeps results).
            #expect(try await broker.send(RedisCommand("ZCARD", [keys.active])).int == 0)
            #expect(try await broker.depth(queue: "q").succeededTotal == 5)
            #expect(try await broker.send(RedisCommand("ZCARD", [keys.finished])).int == 2)
            #expect(try await broker.states(queue: "q", ids: jobs.map(\.id)) == Array(repeating: .succeeded, count: 5))
            let snapshot = try #require(try await broker.job(queue: "q", id: jobs[0].id))
            #expect(snapshot.result == #"{"n":1}"#)
            #expect(snapshot.progress == 1)
            #expect(snapshot.leaseDeadlineMilliseconds == nil)
        }
    }

    @Test(
        "invalid submissions are refused, naming the field, and nothing is stored",
        arguments: [
            ("id", { @Sendable (j: inout JobSubmission) in j.id = "NOT-A-UUID" }),
            ("queue", { @Sendable (j: inout JobSubmission) in j.queue = "bad queue" }),
            ("kind", { @Sendable (j: inout JobSubmission) in j.kind = "" }),
            ("tenant", { @Sendable (j: inout JobSubmission) in j.tenant = "a:b" }),
            ("payload", { @Sendable (j: inout JobSubmission) in j.payload = String(repeating: "x", count: 600_000) }),
            ("priority", { @Sendable (j: inout JobSubmission) in j.priority = 5_000 }),
            ("max_attempts", { @Sendable (j: inout JobSubmission) in j.maxAttempts = 0 }),
            ("lease_ms", { @Sendable (j: inout JobSubmission) in j.leaseMilliseconds = 10 }),
            ("delay_ms", { @Sendable (j: inout JobSubmission) in j.delayMilliseconds = -1 }),
            ("wait_timeout_ms", { @Sendable (j: inout JobSubmission) in j.waitTimeoutMilliseconds = -1 }),
            (
                "backoff",
                { @Sendable (j: inout JobSubmission) in j.backoff = BackoffPolicy(baseMilliseconds: 10, maxMilliseconds: 1) }
            ),
            ("idempotency_key", { @Sendable (j: inout JobSubmission) in j.idempotencyKey = "" }),
        ] as [(String, @Sendable (inout JobSubmission) -> Void)])
    func refusals(field: String, breakIt: @Sendable (inout JobSubmission) -> Void) async throws {
        try await BrokerFixture.redis.with { broker in
            var bad = submission()
            breakIt(&bad)
            let good = submission()
            await #expect {
                _ = try await broker.enqueue([good, bad])
            } throws: { error in
                guard let error = error as? BrokerError else { return false }
                return error.field == field && (error.code == .invalidJob || error.code == .payloadTooLarge)
            }
            // The whole call is refused: not even the valid job was stored.
            let depth = try await broker.depth(queue: "q")
            let stored = try await broker.job(queue: "q", id: good.id)
            #expect(depth.enqueuedTotal == 0)
            #expect(stored == nil)
        }
    }

    @Test("bulk enqueue of many jobs keeps their order and answers per job")
    func bulkEnqueue() async throws {
        try await BrokerFixture.redis.with { broker in
            let jobs = (0..<1_200).map { _ in submission() }
            let outcomes = try await broker.enqueue(jobs)
            #expect(outcomes.map { $0.id } == jobs.map { $0.id })
            #expect(outcomes.allSatisfy { $0.created })
            #expect(try await broker.depth(queue: "q").queued == 1_200)
            #expect(try await broker.claim(max: 3).map(\.id) == jobs.prefix(3).map(\.id))
        }
    }

    @Test("doctor finds index entries whose job is gone and removes them with repair")
    func doctorRepairsOrphans() async throws {
        try await BrokerFixture.redis.with { broker in
            let job = submission()
            _ = try await broker.enqueue([job, submission()])
            _ = try await broker.send(RedisCommand("DEL", [broker.keys("q").job(job.id)]))
            let doctor = BrokerDoctor(broker: broker, reconciler: nil)
            let report = try await doctor.run(queues: ["q"], repair: false)
            #expect(report.orphanedIndexEntries["q"] == [job.id])
            #expect(!report.isHealthy)
            _ = try await doctor.run(queues: ["q"], repair: true)
            #expect(try await doctor.run(queues: ["q"], repair: false).isHealthy)
            #expect(try await broker.claim(max: 5).count == 1)
        }
    }

    @Test("backoff grows exponentially, is capped, and is jittered within [half, full]")
    func backoffPolicy() {
        let policy = BackoffPolicy(baseMilliseconds: 100, maxMilliseconds: 1_000)
        #expect(policy.delayMilliseconds(afterAttempt: 1, random: 0) == 50)
        #expect(policy.delayMilliseconds(afterAttempt: 1, random: 0.999) == 99)
        #expect(policy.delayMilliseconds(afterAttempt: 3, random: 0) == 200)
        #expect(policy.delayMilliseconds(afterAttempt: 30, random: 0) == 500)
        #expect(policy.delayMilliseconds(afterAttempt: 1_000, random: 0.999) <= 1_000)
    }

    @Test("job ids are lowercase UUIDv7, time-ordered")
    func jobIDs() {
        let a = JobID.make(now: Date(timeIntervalSince1970: 1_700_000_000))
        let b = JobID.make(now: Date(timeIntervalSince1970: 1_700_000_001))
        #expect(JobID.isValid(a))
        #expect(a < b)
        #expect(Array(a)[14] == "7")
        #expect(!JobID.isValid(a.uppercased()))
        let many = (0..<10_000).map { _ in JobID.make() }
        #expect(many == many.sorted(), "ids made in one process increase strictly")
        #expect(Set(many).count == many.count)
    }
}
