public import Broker
public import Logging
public import ServiceLifecycle

/// Runs jobs from one queue with up to `concurrency` handlers at once.
///
/// Its own part is the claim loop: blocking on the queue when idle, and claiming as many jobs
/// as there are free slots in one round trip. Leases, batched acknowledgements, cancels and
/// failures are the `WorkerRuntime`'s. On graceful shutdown it stops claiming, lets running
/// jobs finish, and acknowledges them before returning.
public struct QueueWorker: Service {
    public struct Configuration: Sendable {
        public var queue: String
        public var workerID: String
        public var concurrency: Int
        /// Most jobs claimed in one round trip.
        public var claimBatch: Int
        /// Longest a claim blocks before checking for shutdown.
        public var claimWait: Duration

        public init(
            queue: String, workerID: String, concurrency: Int = 1, claimBatch: Int = 64, claimWait: Duration = .seconds(1)
        ) {
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
        let runtime = WorkerRuntime(
            broker: broker, workerID: configuration.workerID, logger: logger, cancelQueue: configuration.queue)
        let slots = WorkerSlots(configuration.concurrency)
        let handler = self.handler
        await runtime.run {
            await withDiscardingTaskGroup { jobs in
                // Behind a backlog (the last claim came back full) the next claim waits for half
                // a batch of free slots, or 2 ms: the other half keeps running meanwhile, and a
                // claim's fixed cost is spread over more jobs. Otherwise one free slot claims at once.
                var backlogged = false
                let half = max(1, min(configuration.claimBatch, configuration.concurrency) / 2)
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    let free = await slots.acquire(atLeast: backlogged ? half : 1, upTo: configuration.claimBatch)
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
                    backlogged = claimed.count == free
                    for job in claimed {
                        jobs.addTask {
                            await runtime.execute(job) { context in try await handler.handle(job, context: context) }
                            slots.release()
                        }
                    }
                }
            }
        }
        await consumer.close()
    }
}
