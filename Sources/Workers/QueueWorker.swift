public import Broker
public import Logging
public import ServiceLifecycle

/// Runs jobs from one queue with up to `concurrency` handlers at once.
///
/// Three loops: claiming (blocking on the queue when idle, and claiming as many jobs as there
/// are free slots in one round trip), acknowledging (completions batched into one script call),
/// and heartbeats (each running job's lease is extended at a third of its length; the reply
/// carries cancel requests). On graceful shutdown it stops claiming, lets running jobs finish,
/// and acknowledges them before returning.
public struct QueueWorker: Service {
    public struct Configuration: Sendable {
        public var queue: String
        public var workerID: String
        public var concurrency: Int
        /// Most jobs claimed in one round trip.
        public var claimBatch: Int
        /// Longest a claim blocks before checking for shutdown.
        public var claimWait: Duration

        public init(queue: String, workerID: String, concurrency: Int = 1, claimBatch: Int = 64, claimWait: Duration = .seconds(1)) {
            self.queue = queue
            self.workerID = workerID
            self.concurrency = max(1, concurrency)
            self.claimBatch = max(1, claimBatch)
            self.claimWait = claimWait
        }
    }

    let configuration: Configuration
    let broker: any JobBroker
    let handler: any JobHandler
    let logger: Logger

    public init(configuration: Configuration, broker: any JobBroker, handler: any JobHandler, logger: Logger) {
        self.configuration = configuration
        self.broker = broker
        self.handler = handler
        self.logger = logger
    }

    public func run() async throws {
        let consumer = try await broker.makeConsumer(queue: configuration.queue, workerID: configuration.workerID)
        let slots = WorkerSlots(configuration.concurrency)
        let completions = CompletionQueue()
        let running = RunningJobs()
        await withDiscardingTaskGroup { loops in
            loops.addTask { await acknowledge(completions) }
            loops.addTask { await heartbeat(running) }
            await withDiscardingTaskGroup { jobs in
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    let free = await slots.acquire(upTo: configuration.claimBatch)
                    let claimed: [ClaimedJob]
                    do {
                        claimed = try await consumer.claim(maxJobs: free, wait: configuration.claimWait)
                    } catch {
                        slots.release(free)
                        logger.error("claim from \(configuration.queue) failed: \(error)")
                        try? await Task.sleep(for: .milliseconds(250))
                        continue
                    }
                    slots.release(free - claimed.count)
                    for job in claimed {
                        jobs.addTask {
                            await execute(job, running: running, completions: completions)
                            slots.release()
                        }
                    }
                }
            }
            completions.close()
            running.stop()
        }
        await consumer.close()
    }

    private func execute(_ job: ClaimedJob, running: RunningJobs, completions: CompletionQueue) async {
        let context = JobContext(lease: job.lease, broker: broker)
        running.insert(context, leaseMilliseconds: job.leaseMilliseconds)
        defer { running.remove(job.id) }
        do {
            let result = try await runHandler(job, context: context)
            completions.append(JobCompletion(lease: job.lease, result: result))
        } catch {
            let failure = Self.failure(for: error, context: context)
            do {
                let state = try await broker.fail(job.lease, failure)
                logger.info(
                    "job \(job.id) \(failure.code): \(failure.message) → \(state.rawValue)",
                    metadata: ["queue": .string(job.lease.queue), "kind": .string(job.kind)])
            } catch {
                logger.warning("could not record the failure of job \(job.id): \(error)")
            }
        }
    }

    /// Runs the handler, racing it against a cancel request.
    private func runHandler(_ job: ClaimedJob, context: JobContext) async throws -> String? {
        try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask { try await handler.handle(job, context: context) }
            group.addTask {
                await context.waitForCancel()
                throw CancellationError()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    static func failure(for error: any Error, context: JobContext) -> JobFailure {
        if context.isCancelRequested {
            return JobFailure(code: "canceled", message: "canceled while running", retriable: false, disposition: .canceled)
        }
        if error is CancellationError {
            // The worker is stopping, not the job failing: give the attempt back unspent.
            return JobFailure(code: "worker_stopped", message: "the worker stopped before the job finished", disposition: .release)
        }
        if let error = error as? JobError {
            return JobFailure(code: error.code, message: error.message, retriable: error.retriable)
        }
        if let error = error as? BrokerError, error.code == .staleAttempt {
            return JobFailure(code: "stale_attempt", message: error.message, retriable: true)
        }
        return JobFailure(code: "handler_error", message: String(describing: error), retriable: true)
    }

    private func acknowledge(_ completions: CompletionQueue) async {
        while true {
            let batch = await completions.takeAll()
            if batch.isEmpty { return }
            do {
                let refused = try await broker.complete(batch)
                for (completion, error) in zip(batch, refused) {
                    if let error {
                        logger.warning("completion of job \(completion.lease.jobID) refused: \(error)")
                    }
                }
            } catch {
                // The leases run out and the jobs are redelivered: at least once, never lost.
                logger.error("could not acknowledge \(batch.count) jobs: \(error)")
            }
        }
    }

    private func heartbeat(_ running: RunningJobs) async {
        while let due = await running.nextDue() {
            for (context, _) in due {
                do {
                    let reply = try await broker.heartbeat(context.lease, progress: nil)
                    context.noteHeartbeat(reply)
                } catch let error as BrokerError where error.code == .staleAttempt || error.code == .jobNotFound {
                    logger.warning("job \(context.lease.jobID) was taken away: \(error)")
                    context.requestCancel()
                } catch {
                    logger.error("heartbeat of job \(context.lease.jobID) failed: \(error)")
                }
            }
        }
    }
}
