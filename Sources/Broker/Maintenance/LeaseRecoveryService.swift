public import Logging
public import ServiceLifecycle

/// Recovers expired leases of the given queues: it sleeps until the earliest lease deadline
/// (at most `maxInterval`), so a dead worker's job is back in the queue about one lease after
/// its last heartbeat. Any number of processes may run one; the scripts make it safe.
public struct LeaseRecoveryService: Service {
    let broker: RedisBroker
    let queues: [String]
    let maxInterval: Duration
    let logger: Logger

    public init(broker: RedisBroker, queues: [String], maxInterval: Duration = .seconds(1), logger: Logger) {
        self.broker = broker
        self.queues = queues
        self.maxInterval = maxInterval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for queue in queues {
                    group.addTask { await watch(queue: queue) }
                }
            }
        }
    }

    private func watch(queue: String) async {
        while !Task.isCancelled {
            var wait = maxInterval
            do {
                let (recovered, next) = try await broker.recover(queue: queue)
                if recovered > 0 {
                    logger.warning("recovered \(recovered) jobs with expired leases", metadata: ["queue": .string(queue)])
                }
                if let next { wait = min(wait, .milliseconds(next + 5)) }
            } catch {
                logger.error("lease recovery of \(queue) failed: \(error)")
            }
            do { try await Task.sleep(for: wait) } catch { return }
        }
    }
}
