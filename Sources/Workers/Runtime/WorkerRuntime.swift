public import Broker
public import Logging
import Tracing

/// The correctness-critical half of every worker, written once: it holds claimed jobs' leases
/// (heartbeats, cancel flags, fencing), acknowledges successes in batches, and records
/// failures through one mapping from errors to `JobFailure`.
///
/// A worker keeps only its own scheduling: `QueueWorker` runs N handlers, `MediaWorker`
/// prefetches the next render, the LLM dispatcher sizes an AIMD window. Each one claims
/// through its consumer, then hands the job here:
///
///     await runtime.run {                      // heartbeat + acknowledge loops
///         for job in try await consumer.claim(…) {
///             await runtime.execute(job) { context in try await work(job, context) }
///         }
///     }
///
/// `execute` is the whole pipeline; workers whose job has several stages (upload, render,
/// store) use its pieces: `hold`, `untilCanceled`, `complete`, `fail`, `failure(for:…)`.
public struct WorkerRuntime: Sendable {
    public let broker: any JobBroker
    let logger: Logger
    let workerID: String
    let activity: WorkerActivitySink
    let leases = LeaseKeeper()
    let acknowledger = Acknowledger()
    /// The queue whose cancel requests reach held jobs as they happen; nil: at the next heartbeat.
    let cancelQueue: String?

    /// - Parameters:
    ///   - activity: hears when each job starts and how it ends (the box agent's view of a
    ///     GPU); called on the worker's task, keep it quick.
    ///   - cancelQueue: follow this queue's cancel stream (a connection of its own, which
    ///     carries only cancel requests, so it costs nothing while none come) so that a cancel
    ///     reaches a held job within a round trip, not at its next heartbeat (a third of its
    ///     lease). Every worker of the product sets it.
    public init(
        broker: any JobBroker, workerID: String, logger: Logger, activity: @escaping WorkerActivitySink = { _ in },
        cancelQueue: String? = nil
    ) {
        self.broker = broker
        self.workerID = workerID
        self.logger = logger
        self.activity = activity
        self.cancelQueue = cancelQueue
    }

    /// Runs the heartbeat and acknowledge loops around `body`, the worker's claim loop. When
    /// `body` returns, what is still queued is acknowledged and the heartbeats stop. A runtime
    /// may run again after that (a worker restarted by its owner).
    public func run(_ body: () async -> Void) async {
        leases.start()
        acknowledger.open()
        await withDiscardingTaskGroup { loops in
            loops.addTask { await acknowledger.run(broker: broker, logger: logger) }
            loops.addTask { await leases.run(broker: broker, logger: logger) }
            await withDiscardingTaskGroup { followers in
                if let cancelQueue { followers.addTask { await followCancels(queue: cancelQueue) } }
                await body()
                followers.cancelAll()
            }
            acknowledger.close()
            leases.stop()
        }
    }

    /// Passes the queue's cancel requests to the held jobs' contexts, until cancelled.
    /// A change missed while Redis is away still arrives with the job's next heartbeat.
    private func followCancels(queue: String) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                let reader = try await broker.makeCancelReader(queue: queue)
                do {
                    while !Task.isCancelled {
                        let events = try await reader.read(maxEvents: 1_000, wait: .seconds(1))
                        failures = 0
                        for event in events where event.state == "cancel_requested" {
                            leases.context(of: event.jobID)?.requestCancel()
                        }
                    }
                } catch {
                    await reader.close()
                    throw error
                }
                await reader.close()
            } catch {
                if Task.isCancelled { return }
                failures += 1
                logger.warning("cannot follow cancels of \(queue): \(error); heartbeats still carry them")
                do { try await Task.sleep(for: BackoffPolicy.reconnect.delay(afterAttempt: failures)) } catch { return }
            }
        }
    }

    /// Starts keeping `job`'s lease; its context carries the cancel flag and reports progress.
    public func hold(_ job: ClaimedJob) -> JobContext {
        let context = JobContext(lease: job.lease, broker: broker, trace: JobSpan(job: job, workerID: workerID))
        leases.insert(context, leaseMilliseconds: job.leaseMilliseconds)
        return context
    }

    /// Runs `work` until it returns or the job is canceled (by a client, or fenced off by the
    /// broker); a cancel cancels `work`'s task and throws `CancellationError`, and
    /// `failure(for:context:…)` then reads it as `canceled`.
    public func untilCanceled<T: Sendable>(
        _ context: JobContext, _ work: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                await context.waitForCancel()
                return nil
            }
            defer { group.cancelAll() }
            guard let value = try await group.next()! else { throw CancellationError() }
            return value
        }
    }

    /// The whole pipeline for one claimed job: hold its lease, run `work` racing a cancel,
    /// then queue the result for the batched acknowledgement or record the failure. Reports
    /// the start and the end to the activity sink; returns how the job left.
    ///
    /// - Parameters:
    ///   - stopping: what the job's error says when the worker stopped before it finished.
    ///   - classify: the worker's own reading of its domain's errors, first (nil: the
    ///     shared mapping decides).
    @discardableResult
    public func execute(
        _ job: ClaimedJob, stopping: String = "the worker stopped before the job finished",
        classify: (any Error) -> JobFailure? = { _ in nil },
        _ work: @escaping @Sendable (JobContext) async throws -> String?
    ) async -> WorkerJobOutcome {
        let context = hold(job)
        activity(.jobStarted(jobID: job.id))
        do {
            let result = try await untilCanceled(context) { try await context.traced { try await work(context) } }
            leases.remove(job.id)
            acknowledger.append(JobCompletion(lease: job.lease, result: result), trace: context.trace)
            activity(.jobFinished(jobID: job.id, outcome: .succeeded))
            return .succeeded
        } catch {
            let failure = Self.failure(for: error, context: context, stopping: stopping, classify: classify)
            return await fail(job, failure, started: true)
        }
    }

    /// The context this attempt of `job` holds: a later attempt of the same job (re-claimed
    /// after its lease ran out) has a context of its own, which this attempt must not end.
    func held(_ job: ClaimedJob) -> JobContext? {
        leases.context(of: job.id).flatMap { $0.lease == job.lease ? $0 : nil }
    }

    /// Ends the attempt successfully in its own round trip (not batched), and lets its lease go.
    public func complete(_ job: ClaimedJob, result: String?) async throws {
        let trace = held(job)?.trace
        let ack = trace?.startRecording("ack")
        do {
            try await broker.complete(job.lease, result: result)
        } catch {
            ack?.recordError(error)
            ack?.setStatus(SpanStatus(code: .error))
            ack?.end()
            trace?.end(failure: JobFailure(code: "ack_failed", message: "\(error)", disposition: .retry))
            throw error
        }
        ack?.end()
        trace?.end(failure: nil)
        leases.remove(job.id)
        activity(.jobFinished(jobID: job.id, outcome: .succeeded))
    }

    /// Records an attempt's failure and lets its lease go; with `started`, reports the job's
    /// end to the activity sink. Recorded even when the calling task is cancelled: that is
    /// when jobs are given back.
    @discardableResult
    public func fail(_ job: ClaimedJob, _ failure: JobFailure, started: Bool = true) async -> WorkerJobOutcome {
        let broker = self.broker
        let trace = held(job)?.trace
        let record = trace?.startRecording("fail")
        let recorded: Result<JobState, any Error> = await Task {
            do { return .success(try await broker.fail(job.lease, failure)) } catch { return .failure(error) }
        }.value
        if case .success(let state) = recorded { record?.attributes["job.state"] = state.rawValue }
        record?.end()
        trace?.end(failure: failure)
        leases.remove(job.id)
        switch recorded {
        case .success(let state):
            logger.info(
                "job \(job.id) \(failure.code): \(failure.message) → \(state.rawValue)",
                metadata: [
                    "queue": .string(job.lease.queue), "kind": .string(job.kind), "worker": .string(workerID),
                ])
        case .failure(let error):
            logger.warning("could not record the failure of job \(job.id): \(error)")
        }
        let outcome = WorkerJobOutcome(failure)
        if started { activity(.jobFinished(jobID: job.id, outcome: outcome)) }
        return outcome
    }
}
