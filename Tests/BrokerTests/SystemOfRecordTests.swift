import Broker
import Foundation
import JobContracts
import Logging
import Producer
import TestSupport
import Testing

/// Postgres as the system of record: written before a submit is acknowledged and at every
/// terminal state, and enough to rebuild Redis.
@Suite("System of record")
struct SystemOfRecordTests {
    let logger = Logger(label: "test")

    func withStack<T>(
        redisURL: String? = nil, _ body: (RedisBroker, PostgresJobRecordStore, JobProducer) async throws -> T
    ) async throws -> T {
        let redis = try await TestBroker.make(redisURL: redisURL, recordOutbox: true)
        let postgres = try await TestRecordStore.make()
        let producer = JobProducer(
            broker: redis.broker, store: postgres.store,
            kinds: JobKindRegistry([JobKind(name: "test.job", queue: "q")] + [JobKind.cpuTask]))
        do {
            let result = try await body(redis.broker, postgres.store, producer)
            await redis.tearDown()
            await postgres.tearDown()
            return result
        } catch {
            await redis.tearDown()
            await postgres.tearDown()
            throw error
        }
    }

    @Test("an accepted job is in Postgres when submit returns, and its terminal state follows")
    func acceptedIsDurable() async throws {
        try await withStack { broker, store, producer in
            let receipt = try await producer.submit(JobRequest(kind: "test.job", payload: #"{"x":"é\t\\"}"#, tenant: "acme"))
            let recorded = try #require(try await store.job(id: receipt.id))
            #expect(recorded.state == .queued)
            #expect(recorded.submission.payload == #"{"x":"é\t\\"}"#)
            #expect(recorded.submission.queue == "q")
            let claimed = try await broker.claimOne()
            // A result that holds the outbox's milestone key is still a state record.
            try await broker.complete(claimed.lease, result: #"{"done":true,"milestone":2}"#)
            let sync = JobRecordSync(broker: broker, store: store, queues: ["q"], logger: logger)
            #expect(try await sync.drainOnce(queue: "q") == 1)
            let finished = try #require(try await store.job(id: receipt.id))
            #expect(finished.state == .succeeded)
            #expect(finished.result == #"{"done":true,"milestone":2}"#)
            #expect(finished.attempts == 1)
        }
    }

    @Test("two submits with one idempotency key make one job, also when they race")
    func idempotentSubmits() async throws {
        try await withStack { broker, store, producer in
            let request = JobRequest(kind: "test.job", tenant: "acme", idempotencyKey: "upload-42")
            let receipts = try await withThrowingTaskGroup(of: JobProducer.Receipt.self) { group in
                for _ in 0..<8 { group.addTask { try await producer.submit(request) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(receipts.map(\.id)).count == 1)
            #expect(receipts.filter(\.created).count == 1)
            #expect(try await broker.depth(queue: "q").queued == 1)
            #expect(try await store.openJobs(afterID: nil, minimumAgeMilliseconds: 0, limit: 10).count == 1)
        }
    }

    @Test("bulk submits go through COPY; a bad request refuses the whole call and stores nothing")
    func bulkAndRefusals() async throws {
        try await withStack { broker, store, producer in
            let good = (0..<300).map { JobRequest(kind: "test.job", payload: #"{"i":\#($0)}"#) }
            let receipts = try await producer.submit(good, chunkSize: 128)
            #expect(receipts.count == 300 && receipts.allSatisfy(\.created))
            #expect(try await store.openJobs(afterID: nil, minimumAgeMilliseconds: 0, limit: 1_000).count == 300)

            for bad in [
                JobRequest(kind: "no.such.kind"),
                JobRequest(kind: "test.job", payload: "not json"),
                JobRequest(kind: "test.job", payload: "42"),
                JobRequest(kind: "test.job", priority: 1_000_000),
            ] {
                await #expect(throws: BrokerError.self) { _ = try await producer.submit(good.prefix(3) + [bad]) }
            }
            #expect(try await store.openJobs(afterID: nil, minimumAgeMilliseconds: 0, limit: 1_000).count == 300)
            #expect(try await broker.depth(queue: "q").enqueuedTotal == 300)
        }
    }

    @Test("after FLUSHALL, reconcile restores every non-terminal job from Postgres and no finished one")
    func reconcileAfterFlushAll() async throws {
        let server = try RedisServerProcess()
        try await withStack(redisURL: server.url) { broker, store, producer in
            let receipts = try await producer.submit((0..<20).map { JobRequest(kind: "test.job", payload: #"{"i":\#($0)}"#) })
            // Five finish (and reach Postgres), one is running, the rest wait; one is delayed.
            let done = try await broker.claim(max: 5)
            for job in done { try await broker.complete(job.lease, result: nil) }
            _ = try await JobRecordSync(broker: broker, store: store, queues: ["q"], logger: logger).drainOnce(queue: "q")
            let running = try await broker.claimOne()
            let delayed = try await producer.submit(JobRequest(kind: "test.job", delayMilliseconds: 60_000))

            _ = try await broker.send(RedisCommand("FLUSHALL"))
            #expect(try await broker.depth(queue: "q").queued == 0)

            let reconciler = JobReconciler(broker: broker, store: store, gracePeriodMilliseconds: 0)
            let report = try await reconciler.run(repair: true)
            let open = Set(receipts.map(\.id)).subtracting(done.map(\.id)).union([delayed.id])
            #expect(Set(report.missingFromBroker) == open)
            #expect(running.id != "" && open.contains(running.id))
            for id in open {
                #expect(try await broker.job(queue: "q", id: id)?.state == .queued)
            }
            for job in done {
                #expect(try await broker.job(queue: "q", id: job.id) == nil, "finished jobs are not run again")
            }
            // The restored jobs run to completion and the record follows.
            let all = try await broker.claim(max: 100)
            #expect(Set(all.map(\.id)) == open)
            #expect(try await reconciler.run(repair: false).missingFromBroker.isEmpty)
        }
    }

    @Test("queue limits and pause are recorded before they are applied, and FLUSHALL loses them only until reconcile")
    func queueSettingsAfterFlushAll() async throws {
        let server = try RedisServerProcess()
        try await withStack(redisURL: server.url) { broker, store, producer in
            let control = QueueControl(broker: broker, store: store)
            let limits = QueueLimits(
                weights: ["acme": 0.1, "*": 2], caps: ["tenant:*": 2, "key:lead:*": 1],
                rates: ["queue": .init(count: 10, intervalMilliseconds: 1_000)], fair: false)
            try await control.setLimits(queue: "q", limits)
            try await control.setPaused(queue: "q", true)
            let bad = QueueLimits(caps: ["tenants:acme": 1])
            await #expect(throws: BrokerError.self) { try await control.setLimits(queue: "q", bad) }
            await #expect(throws: BrokerError.self) { try await control.setLimits(queue: "other", bad) }
            #expect(try await store.queueSettings() == ["q": QueueSettings(limits: limits, paused: true)])
            #expect(try await control.restore() == [], "what the broker holds is what was recorded")
            let receipt = try await producer.submit(JobRequest(kind: "test.job", tenant: "acme"))

            _ = try await broker.send(RedisCommand("FLUSHALL"))
            let report = try await JobReconciler(broker: broker, store: store, gracePeriodMilliseconds: 0).run(repair: true)
            #expect(report.settingsDrift == ["q"])
            #expect(report.missingFromBroker == [receipt.id])
            #expect(try await broker.limits(queue: "q") == limits)
            #expect(try await broker.depth(queue: "q").paused)
            #expect(try await broker.claim(max: 1).isEmpty, "the restored job waits: its queue is still paused")
            #expect(try await control.restore() == [])

            // Without a record store a change lives in Redis alone, and nothing is restored.
            let unrecorded = QueueControl(broker: broker, store: nil)
            try await unrecorded.setPaused(queue: "q", false)
            #expect(try await unrecorded.restore() == [])
            #expect(try await control.restore(repair: false) == ["q"], "Redis no longer holds what was recorded")

            // A field never recorded is left as Redis has it: limits recorded, a pause set
            // without the record (an older gateway, say) stays.
            try await control.setLimits(queue: "r", QueueLimits(caps: ["queue": 3]))
            try await broker.setPaused(queue: "r", true)
            #expect(try await store.queueSettings()["r"] == QueueSettings(limits: QueueLimits(caps: ["queue": 3])))
            #expect(try await control.restore(repair: true) == ["q"])
            #expect(try await broker.depth(queue: "r").paused, "the reconciler did not resume a queue it never recorded")
        }
    }

    @Test("a queue settings row that cannot be read is reported, and the jobs are restored all the same")
    func settingsErrorKeepsReconciling() async throws {
        let server = try RedisServerProcess()
        let redis = try await TestBroker.make(redisURL: server.url, recordOutbox: true)
        let postgres = try await TestRecordStore.make()
        let producer = JobProducer(
            broker: redis.broker, store: postgres.store, kinds: JobKindRegistry([JobKind(name: "test.job", queue: "q")]))
        let receipt = try await producer.submit(JobRequest(kind: "test.job"))
        _ = try await postgres.pool.withConnection { connection in
            try await connection.query(#"INSERT INTO queue_settings (queue, limits) VALUES ('q', '{"caps":"two"}')"#)
        }
        _ = try await redis.broker.send(RedisCommand("FLUSHALL"))
        let report = try await JobReconciler(broker: redis.broker, store: postgres.store, gracePeriodMilliseconds: 0)
            .run(repair: true)
        #expect(report.settingsError?.contains("queue_settings.limits of queue q") == true)
        #expect(report.missingFromBroker == [receipt.id])
        #expect(try await redis.broker.job(queue: "q", id: receipt.id)?.state == .queued)
        // `velocity doctor` calls that unhealthy, even after a repair: the row needs a hand.
        let doctor = BrokerDoctor(
            broker: redis.broker,
            reconciler: JobReconciler(broker: redis.broker, store: postgres.store, gracePeriodMilliseconds: 0))
        let checked = try await doctor.run(queues: ["q"], repair: true)
        #expect(checked.record?.settingsError != nil)
        #expect(!checked.isHealthy)
        await redis.tearDown()
        await postgres.tearDown()
    }

    @Test("a terminal state lost on its way to Postgres is copied over by the reconciler")
    func reconcileCopiesLostTerminalStates() async throws {
        try await withStack { broker, store, producer in
            let receipt = try await producer.submit(JobRequest(kind: "test.job"))
            let claimed = try await broker.claimOne()
            try await broker.complete(claimed.lease, result: #"{"r":1}"#)
            // Lose the outbox record, as a crash between pop and write would.
            _ = try await broker.send(RedisCommand("DEL", [broker.keys("q").outbox]))
            #expect(try await store.job(id: receipt.id)?.state == .queued)
            let report = try await JobReconciler(broker: broker, store: store, gracePeriodMilliseconds: 0).run(repair: true)
            #expect(report.endedInBroker == [receipt.id])
            #expect(try await store.job(id: receipt.id)?.state == .succeeded)
            #expect(try await store.job(id: receipt.id)?.result == #"{"r":1}"#)
        }
    }

    @Test("a failed write to Postgres puts the records back in the outbox")
    func syncFailureKeepsRecords() async throws {
        try await withStack { broker, store, producer in
            _ = try await producer.submit(JobRequest(kind: "test.job"))
            let claimed = try await broker.claimOne()
            try await broker.complete(claimed.lease, result: nil)
            let broken = PostgresJobRecordStore(
                pool: PostgresPool(url: "postgresql://velocity@127.0.0.1:1/none", maxConnections: 1))
            let sync = JobRecordSync(broker: broker, store: broken, queues: ["q"], logger: logger)
            await #expect(throws: (any Error).self) { try await sync.drainOnce(queue: "q") }
            #expect(try await broker.send(RedisCommand("LLEN", [broker.keys("q").outbox])).int == 1)
        }
    }
}
