import Broker
import Foundation
import JobContracts
import Logging
import Synchronization
import TestSupport
import Testing

@testable import Workers

/// The worker runtime's pieces on a real Redis: the failure mapping, lease keeping and
/// fencing, the cancel race, batched acknowledgement, and the whole `execute` pipeline.
@Suite("Worker runtime")
struct WorkerRuntimeTests {
    static let logger = Logger(label: "test.runtime")

    /// A broker with one job enqueued on queue `q` and claimed by `worker`.
    func claimed(
        _ fixture: TestBroker, worker: String = "w1", lease: Int = 30_000, maxAttempts: Int = 3
    ) async throws -> ClaimedJob {
        let job = JobSubmission(
            kind: "test.job", queue: "q", tenant: "acme", maxAttempts: maxAttempts,
            backoff: BackoffPolicy(baseMilliseconds: 10, maxMilliseconds: 10), leaseMilliseconds: lease)
        _ = try await fixture.broker.enqueue([job])
        return try await claim(fixture, worker: worker)
    }

    func claim(_ fixture: TestBroker, worker: String) async throws -> ClaimedJob {
        let consumer = try await fixture.broker.makeConsumer(queue: "q", workerID: worker)
        defer { Task { await consumer.close() } }
        return try #require(try await consumer.claim(maxJobs: 1, wait: .seconds(5)).first)
    }

    @Test("the failure mapping: cancel, stop, the worker's own reading, then the error's code and retriability")
    func failureMapping() async throws {
        let fixture = try await TestBroker.make()
        let job = try await claimed(fixture)
        let runtime = WorkerRuntime(broker: fixture.broker, workerID: "w1", logger: Self.logger)
        let context = runtime.hold(job)

        let stopped = WorkerRuntime.failure(for: CancellationError(), context: context, stopping: "stopping now")
        #expect(stopped == JobFailure(code: "worker_stopped", message: "stopping now", disposition: .release))

        let refused = JobError(code: "bad_input", message: "no", retriable: false)
        #expect(
            WorkerRuntime.failure(for: refused, context: context)
                == JobFailure(code: "bad_input", message: "no", retriable: false))
        let comfy = ComfyUIError(.comfyUIInvalidOutput, "not a PNG", retriable: true)
        #expect(WorkerRuntime.failure(for: comfy, context: context).code == "comfyui_invalid_output")
        let stale = BrokerError(.staleAttempt, "not yours")
        #expect(WorkerRuntime.failure(for: stale, context: context) == JobFailure(code: "stale_attempt", message: "not yours"))
        struct Opaque: Error {}
        let opaque = WorkerRuntime.failure(for: Opaque(), context: context)
        #expect(opaque.code == "handler_error" && opaque.retriable && opaque.disposition == .error)

        let classified = WorkerRuntime.failure(for: refused, context: context) { _ in
            JobFailure(code: "mine", message: "read by the worker", disposition: .retry, delayMilliseconds: 5)
        }
        #expect(classified.code == "mine" && classified.disposition == .retry)

        // A cancel request wins over everything, the worker's own reading included.
        context.requestCancel()
        #expect(WorkerRuntime.failure(for: Opaque(), context: context) == .canceled)
        #expect(
            WorkerRuntime.failure(for: CancellationError(), context: context) { _ in JobFailure(code: "x", message: "") }
                == .canceled)
        await fixture.tearDown()
    }

    @Test("a heartbeat carries a cancel request to the job's context and wakes its waiter")
    func heartbeatCarriesCancel() async throws {
        let fixture = try await TestBroker.make()
        let job = try await claimed(fixture)
        let keeper = LeaseKeeper()
        let context = JobContext(lease: job.lease, broker: fixture.broker)
        keeper.insert(context, leaseMilliseconds: job.leaseMilliseconds)
        await keeper.beat(context, broker: fixture.broker, logger: Self.logger)
        #expect(!context.isCancelRequested)

        #expect(try await fixture.broker.cancel(queue: "q", jobID: job.id) == .requested)
        async let woken: Void = context.waitForCancel()
        await keeper.beat(context, broker: fixture.broker, logger: Self.logger)
        await woken
        #expect(context.isCancelRequested)
        await fixture.tearDown()
    }

    @Test("fencing: a worker whose lease ran out and whose job another worker holds is canceled at its next heartbeat")
    func fencedOffWorkerIsCanceled() async throws {
        let fixture = try await TestBroker.make()
        let first = try await claimed(fixture, worker: "slow", lease: 1_000)
        let keeper = LeaseKeeper()
        let context = JobContext(lease: first.lease, broker: fixture.broker)
        try await Task.sleep(for: .milliseconds(1_200))
        #expect(try await fixture.broker.recoverExpiredLeases(queue: "q") == 1)
        let second = try await claim(fixture, worker: "fast")
        #expect(second.id == first.id && second.lease.attemptID != first.lease.attemptID)

        keeper.insert(context, leaseMilliseconds: 1_000)
        await keeper.beat(context, broker: fixture.broker, logger: Self.logger)
        #expect(context.isCancelRequested)
        // Fenced off once: the keeper lets the lease go instead of beating it again at once.
        #expect(keeper.count == 0)
        #expect(keeper.schedule(at: .now + .seconds(5)).due.isEmpty)
        // The stale attempt's completion is refused; the new holder's is not.
        let refused = try await fixture.broker.complete([JobCompletion(lease: first.lease), JobCompletion(lease: second.lease)])
        #expect(refused[0]?.code == .staleAttempt)
        #expect(refused[1] == nil)
        await fixture.tearDown()
    }

    @Test("a heartbeat that fails (Redis gone) is tried again after the retry interval, not at once; the lease is kept")
    func failedHeartbeatBacksOff() async throws {
        let fixture = try await TestBroker.make()
        let job = try await claimed(fixture, lease: 3_000)
        let keeper = LeaseKeeper()
        let context = JobContext(lease: job.lease, broker: fixture.broker)
        // A 150 ms lease is due for a beat every 50 ms: past that, only the retry interval holds it back.
        keeper.insert(context, leaseMilliseconds: 150)
        await fixture.tearDown()  // the broker's connections are closed: every call fails
        try await Task.sleep(for: .milliseconds(100))

        let beatAt = ContinuousClock.now
        #expect(keeper.schedule(at: beatAt).due.count == 1)
        await keeper.beat(context, broker: fixture.broker, logger: Self.logger)
        #expect(!context.isCancelRequested)
        #expect(keeper.count == 1)
        #expect(keeper.schedule(at: beatAt).due.isEmpty)
        #expect(keeper.schedule(at: beatAt).sleep <= LeaseKeeper.retryInterval)
        #expect(keeper.schedule(at: .now + LeaseKeeper.retryInterval).due.map(\.lease.jobID) == [job.id])
    }

    @Test("the lease keeper's loop extends a lease past its length, then stops; a runtime runs again after that")
    func leaseKeeperKeepsLeases() async throws {
        let fixture = try await TestBroker.make()
        let runtime = WorkerRuntime(broker: fixture.broker, workerID: "w1", logger: Self.logger)
        for _ in 0..<2 {
            // Beats every 2 s on a 6 s lease, for 7 s: past the lease, with 4 s of slack a beat
            // may be late by on a loaded machine (2 s was not always enough in the full suite).
            let job = try await claimed(fixture, lease: 6_000)
            await runtime.run {
                let context = runtime.hold(job)
                try? await Task.sleep(for: .milliseconds(7_000))
                #expect(!context.isCancelRequested)
                #expect(try! await fixture.broker.recoverExpiredLeases(queue: "q") == 0)
                try? await runtime.complete(job, result: nil)
            }
            #expect(runtime.leases.count == 0)
            #expect(try await fixture.broker.states(queue: "q", ids: [job.id]) == [.succeeded])
        }
        await fixture.tearDown()
    }

    @Test("a cancel that arrives while the work commits its result waits for it; one that landed first refuses the commit")
    func commitHoldsCancelOff() async throws {
        let fixture = try await TestBroker.make()
        let job = try await claimed(fixture)
        let runtime = WorkerRuntime(broker: fixture.broker, workerID: "w1", logger: Self.logger)
        let context = runtime.hold(job)
        let committed = try await runtime.untilCanceled(context) {
            try await context.committing {
                context.requestCancel()  // arrives mid-commit
                try await Task.sleep(for: .milliseconds(50))
                return "stored"
            }
        }
        #expect(committed == "stored")
        #expect(context.isCancelRequested)
        await #expect(throws: CancellationError.self) {
            try await context.committing { "too late" }
        }
        await fixture.tearDown()
    }

    @Test("untilCanceled: work finishes with its value, or a cancel ends it with CancellationError")
    func cancelRace() async throws {
        let fixture = try await TestBroker.make()
        let job = try await claimed(fixture)
        let runtime = WorkerRuntime(broker: fixture.broker, workerID: "w1", logger: Self.logger)
        let context = runtime.hold(job)
        #expect(try await runtime.untilCanceled(context) { 42 } == 42)

        let started = ContinuousClock.now
        let workCancelled = Atomic<Bool>(false)
        Task {
            try await Task.sleep(for: .milliseconds(100))
            context.requestCancel()
        }
        await #expect(throws: CancellationError.self) {
            try await runtime.untilCanceled(context) {
                do { try await Task.sleep(for: .seconds(60)) } catch { workCancelled.store(true, ordering: .relaxed) }
                return 0
            }
        }
        #expect(ContinuousClock.now - started < .seconds(30))
        let wasCancelled = workCancelled.load(ordering: .relaxed)
        #expect(wasCancelled)
        await fixture.tearDown()
    }

    @Test("completions are acknowledged in batches; a refused one does not hold up the others")
    func batchedAcknowledgement() async throws {
        let fixture = try await TestBroker.make()
        let jobs = try await (0..<3).asyncMap { _ in try await claimed(fixture) }
        let acknowledger = Acknowledger()
        for job in jobs { acknowledger.append(JobCompletion(lease: job.lease, result: #"{"n":1}"#)) }
        // A completion whose attempt is not the job's current one.
        var stale = jobs[0].lease
        stale.attemptID = "not-the-attempt"
        acknowledger.append(JobCompletion(lease: stale))
        acknowledger.close()
        await acknowledger.run(broker: fixture.broker, logger: Self.logger)
        #expect(try await fixture.broker.states(queue: "q", ids: jobs.map(\.id)) == [.succeeded, .succeeded, .succeeded])
        #expect(try await fixture.broker.job(queue: "q", id: jobs[1].id)?.result == #"{"n":1}"#)
        await fixture.tearDown()
    }

    @Test("execute: success is acknowledged, a refusal fails the job at once, a stop gives it back; the activity sink hears each")
    func executePipeline() async throws {
        let fixture = try await TestBroker.make()
        let heard = Mutex<[WorkerActivity]>([])
        let runtime = WorkerRuntime(broker: fixture.broker, workerID: "w1", logger: Self.logger) { event in
            heard.withLock { $0.append(event) }
        }
        let ok = try await claimed(fixture)
        let bad = try await claimed(fixture)
        let stopped = try await claimed(fixture)
        await runtime.run {
            #expect(await runtime.execute(ok) { _ in #"{"ok":true}"# } == .succeeded)
            let refusal = await runtime.execute(bad) { _ in throw JobError(code: "bad_input", message: "no", retriable: false) }
            #expect(refusal == .failed(code: "bad_input"))
            #expect(await runtime.execute(stopped) { _ in throw CancellationError() } == .released)
        }
        #expect(try await fixture.broker.states(queue: "q", ids: [ok.id, bad.id, stopped.id]) == [.succeeded, .failed, .queued])
        #expect(try await fixture.broker.job(queue: "q", id: ok.id)?.result == #"{"ok":true}"#)
        // Given back unspent: the next claim is its first attempt again.
        #expect(try await claim(fixture, worker: "w2").attempt == 1)
        #expect(
            heard.withLock { $0 } == [
                .jobStarted(jobID: ok.id), .jobFinished(jobID: ok.id, outcome: .succeeded),
                .jobStarted(jobID: bad.id), .jobFinished(jobID: bad.id, outcome: .failed(code: "bad_input")),
                .jobStarted(jobID: stopped.id), .jobFinished(jobID: stopped.id, outcome: .released),
            ])
        await fixture.tearDown()
    }

    enum Doubling: JobContract {
        static let kind = JobKind(name: "test.double", queue: "q")
        struct Payload: Codable, Sendable { var n: Int }
        struct Result: Codable, Sendable { var doubled: Int }
    }

    struct Doubler: JobProcessor {
        typealias Contract = Doubling
        func process(_ payload: Doubling.Payload, job: ClaimedJob, context: JobContext) async throws -> Doubling.Result {
            Doubling.Result(doubled: payload.n * 2)
        }
    }

    @Test("a router hands each job its decoded payload; a payload that does not decode or an unknown kind fails at once")
    func typedProcessing() async throws {
        let fixture = try await TestBroker.make()
        var router = JobRouter()
        router.register(Doubler())
        #expect(router.kinds == ["test.double"])
        let good = JobSubmission(kind: "test.double", queue: "q", payload: #"{"n":21}"#)
        let bad = JobSubmission(kind: "test.double", queue: "q", payload: #"{"n":"21"}"#)
        let unknown = JobSubmission(kind: "test.other", queue: "q", payload: "{}")
        _ = try await fixture.broker.enqueue([good, bad, unknown])
        let worker = QueueWorker(
            configuration: .init(queue: "q", workerID: "typed", concurrency: 2, claimWait: .milliseconds(100)),
            broker: fixture.broker, handler: router, logger: Self.logger)
        let running = Task { try await worker.run() }
        try await eventually("every job ends") {
            try await fixture.broker.states(queue: "q", ids: [good.id, bad.id, unknown.id]).allSatisfy { $0?.isTerminal == true }
        }
        running.cancel()
        _ = try? await running.value
        let done = try #require(try await fixture.broker.job(queue: "q", id: good.id))
        #expect(done.state == .succeeded)
        #expect(done.result == #"{"doubled":42}"#)
        let refused = try #require(try await fixture.broker.job(queue: "q", id: bad.id))
        #expect(refused.state == .failed && refused.attempts == 1)
        #expect(refused.errorCode == "invalid_payload")
        #expect(refused.errorMessage == "payload.n: must be an integer")
        #expect(refused.errorRetriable == false)
        let other = try #require(try await fixture.broker.job(queue: "q", id: unknown.id))
        #expect(other.state == .failed && other.errorCode == "unsupported_kind")
        await fixture.tearDown()
    }

    @Test("a cancel reaches a running handler through the queue's cancel stream, long before its next heartbeat")
    func cancelReachesTheHandlerAtOnce() async throws {
        let fixture = try await TestBroker.make()
        let started = Atomic<Bool>(false)
        let handler = ClosureJobHandler { _, context in
            started.store(true, ordering: .releasing)
            // Heartbeats come every third of the 5-minute lease: only the stream can stop this.
            try await Task.sleep(for: .seconds(120))
            return context.isCancelRequested ? nil : "ran to its end"
        }
        let job = JobSubmission(kind: "test.slow", queue: "q", leaseMilliseconds: 300_000)
        _ = try await fixture.broker.enqueue([job])
        let worker = QueueWorker(
            configuration: .init(queue: "q", workerID: "cancel-stream", concurrency: 1, claimWait: .milliseconds(100)),
            broker: fixture.broker, handler: handler, logger: Self.logger)
        let running = Task { try await worker.run() }
        try await eventually("the handler runs") { started.load(ordering: .acquiring) }
        #expect(try await fixture.broker.cancel(queue: "q", jobID: job.id) == .requested)
        try await eventually("the job is canceled", limit: .seconds(20)) {
            try await fixture.broker.job(queue: "q", id: job.id)?.state == .canceled
        }
        running.cancel()
        _ = try? await running.value
        await fixture.tearDown()
    }
}
