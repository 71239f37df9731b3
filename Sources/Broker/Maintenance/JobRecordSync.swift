import Foundation
public import Logging
import RedisClient
public import ServiceLifecycle

/// Drains each queue's outbox of state records into the system of record, in batches.
///
/// Records are popped, then applied; if applying fails they are pushed back for the next round.
/// A record lost to a crash in between is caught by `JobReconciler`, which compares the two
/// stores.
public struct JobRecordSync: Service {
    let broker: RedisBroker
    let store: any JobRecordStore
    let queues: [String]
    let batchSize: Int
    let logger: Logger
    let onApplied: (@Sendable ([JobStateRecord]) -> Void)?

    /// `onApplied` sees every batch once it is in the store: each terminal state passes through
    /// here exactly once, which makes it the place to count and time finished jobs.
    public init(
        broker: RedisBroker, store: any JobRecordStore, queues: [String], batchSize: Int = 1_000, logger: Logger,
        onApplied: (@Sendable ([JobStateRecord]) -> Void)? = nil
    ) {
        self.broker = broker
        self.store = store
        self.queues = queues
        self.batchSize = batchSize
        self.logger = logger
        self.onApplied = onApplied
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                for queue in queues {
                    group.addTask { try await drain(queue: queue) }
                }
            }
        }
    }

    /// Applies everything waiting in `queue`'s outbox now, and returns how many records that was.
    @discardableResult
    public func drainOnce(queue: String) async throws -> Int {
        var total = 0
        while true {
            let reply = try await broker.send(RedisCommand("RPOP", [broker.keys(queue).outbox, String(batchSize)]))
            // RPOP with a count answers null, not an empty array, for an empty list.
            let applied = try await apply(reply == .null ? [] : try reply.decodeArray("outbox records"), queue: queue)
            total += applied
            if applied < batchSize { return total }
        }
    }

    private func drain(queue: String) async throws {
        let keys = broker.keys(queue)
        let connection = try await RedisDedicatedConnection.open(broker.pool, forKey: keys.outbox, name: "velocity-record-sync")
        await drain(queue: queue, keys: keys, on: connection)
        await connection.close()
    }

    private func drain(queue: String, keys: QueueKeys, on connection: RedisDedicatedConnection) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                // BLMPOP blocks on the connection's own thread until records arrive (or 1 s).
                let reply = try await connection.connection.sendBlocking(
                    RedisCommand("BLMPOP", ["1", "1", keys.outbox, "RIGHT", "COUNT", String(batchSize)]),
                    blockMilliseconds: 1_000)
                // Null when the wait ran out; else [key, records].
                if reply == .null { continue }
                let popped = try reply.decodeArray("outbox pop", count: 2)
                _ = try await apply(try popped[1].decodeArray("outbox records"), queue: queue)
                failures = 0
            } catch is CancellationError {
                return
            } catch {
                failures += 1
                logger.error("record sync of \(queue) failed: \(error)", metadata: ["queue": .string(queue)])
                // In a cluster the outbox may have moved to another node (a failover).
                if let error = error as? RedisError { await connection.recover(after: error) }
                do {
                    try await Task.sleep(for: BackoffPolicy.reconnect.delay(afterAttempt: failures))
                } catch {
                    return
                }
            }
        }
    }

    private func apply(_ values: [RESPValue], queue: String) async throws -> Int {
        guard !values.isEmpty else { return 0 }
        let texts = try values.map { try $0.decodeText("outbox record") }
        let decoder = JSONDecoder()
        var records: [JobStateRecord] = []
        var milestones: [JobMilestone] = []
        records.reserveCapacity(texts.count)
        for text in texts {
            do {
                // A state record first (nearly all of them); only one without a state is tried as
                // a milestone. Sniffing the text would misread a result that holds "milestone":.
                if let record = try? decoder.decode(JobStateRecord.self, from: Data(text.utf8)) {
                    records.append(record)
                } else {
                    milestones.append(try decoder.decode(JobMilestone.self, from: Data(text.utf8)))
                }
            } catch {
                // One unreadable record must not hold up the rest of the outbox for ever.
                logger.error("dropping an unreadable outbox record of \(queue): \(text)")
            }
        }
        do {
            // Milestones first: a job that ends in the same batch reports 75 % before its end.
            if !milestones.isEmpty { try await store.applyMilestones(milestones) }
            try await store.apply(records)
        } catch {
            // Put them back, oldest at the right end where the next pop starts.
            var command = RedisCommand("RPUSH", [broker.keys(queue).outbox])
            command.append(contentsOf: texts.reversed())
            _ = try? await broker.send(command)
            throw error
        }
        onApplied?(records)
        return texts.count
    }
}
