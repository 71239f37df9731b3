import Foundation
import RedisClient

/// Claims from one queue over a connection of its own: when the queue is empty it blocks on
/// the queue's signal list (`BLPOP`), so an idle worker picks a new job within about one round
/// trip, without polling.
final class RedisQueueConsumer: JobConsumer {
    let queue: String
    private let broker: RedisBroker
    private let workerID: String
    /// Moved after a failure in a cluster, so the next claim goes to the queue's new owner.
    private let connection: RedisDedicatedConnection
    private let keys: QueueKeys
    private let header: [String]

    init(broker: RedisBroker, queue: String, workerID: String) async throws {
        self.broker = broker
        self.queue = queue
        self.workerID = workerID
        self.keys = broker.keys(queue)
        self.header = broker.configuration.scriptHeader
        do {
            self.connection = try await RedisDedicatedConnection.open(
                broker.pool, forKey: keys.meta, name: "velocity-consumer-\(queue)")
        } catch let error as RedisError {
            throw RedisBroker.brokerError(error)
        }
    }

    func claim(maxJobs: Int, wait: Duration, prefer: ClaimPreference?) async throws -> [ClaimedJob] {
        let keys = keys.scriptKeys
        let arguments = header + [String(maxJobs), workerID] + (prefer?.arguments ?? [])
        let signal = self.keys.signal
        let maxBlock = broker.configuration.maxBlockMilliseconds
        let queue = queue
        do {
            // The whole claim-or-block loop runs on the connection's own thread: a wake-up on the
            // signal list goes straight into the claim script, with no thread hop in between.
            return try await connection.connection.withIsolation { connection in
                let clock = ContinuousClock()
                let deadline = clock.now + wait
                while true {
                    let reply = try connection.evaluate(BrokerScript.claim, keys: keys, arguments: arguments)
                    let parsed = try RedisBroker.parseClaimReply(try reply.decodeArray("claim reply"), from: 0, queue: queue)
                    if !parsed.jobs.isEmpty { return parsed.jobs }
                    let remaining = clock.now.duration(to: deadline)
                    if remaining <= .zero || Task.isCancelled { return [] }
                    var block = min(remaining.milliseconds, maxBlock)
                    if let due = parsed.nextDueMilliseconds { block = min(block, max(due, 1)) }
                    let ms = max(block, 1)
                    let fraction = String(ms % 1000)
                    let seconds = "\(ms / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
                    _ = try connection.sendBlocking(RedisCommand("BLPOP", [signal, seconds]), blockMilliseconds: block)
                }
            }
        } catch let error as RedisError {
            await connection.recover(after: error)
            throw RedisBroker.brokerError(error)
        }
    }

    func close() async {
        await connection.close()
    }

}
