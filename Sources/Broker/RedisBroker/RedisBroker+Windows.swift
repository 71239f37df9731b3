import Foundation
public import RedisClient

extension RedisBroker {
    /// Most batches `openBatches` reads in one call.
    static let openBatchesLimit = 1_000

    public func setBatchWindow(queue: String, parent: String, dueMilliseconds: Int) async throws {
        guard JobSubmission.isKey(parent) else {
            throw BrokerError(.invalidJob, "parent_batch: must be 1-128 bytes without control characters", field: "parent_batch")
        }
        guard dueMilliseconds > 0 else {
            throw BrokerError(.invalidJob, "due_ms: must be a positive time in ms since 1970", field: "due_ms")
        }
        let keys = keys(queue)
        let closedBefore = Int(Date().timeIntervalSince1970 * 1000) - configuration.resultTTLSeconds * 1000
        // The counts hash carries the window too, and expires with it when no child has moved.
        _ = try await pipeline([
            RedisCommand("ZADD", [keys.windows, String(dueMilliseconds), parent]),
            RedisCommand("HSET", [keys.batch(parent), "due_ms", String(dueMilliseconds)]),
            RedisCommand("EXPIRE", [keys.batch(parent), String(configuration.resultTTLSeconds)]),
            // Windows of batches that never ran a child leave no count to drop them: those closed
            // a result TTL ago go here.
            RedisCommand("ZREMRANGEBYSCORE", [keys.windows, "-inf", "(" + String(closedBefore)]),
        ])
    }

    public func openBatches(queue: String, limit: Int) async throws -> [OpenBatch] {
        let keys = keys(queue)
        let wanted = min(max(limit, 0), Self.openBatchesLimit)
        var open: [OpenBatch] = []
        var offset = 0
        // Windows are read a page at a time: one of a batch that never had a child, or whose
        // counts expired, stays in the index until it has been closed a result TTL, and is skipped.
        while open.count < wanted {
            let page = try await windows(keys, offset: offset, count: wanted)
            let counts = try await batchCounts(queue: queue, parents: page.map(\.parent))
            for window in page where open.count < wanted {
                let batch = OpenBatch(
                    parent: window.parent, dueMilliseconds: window.due, counts: counts[window.parent] ?? .init())
                if batch.open > 0 { open.append(batch) }
            }
            offset += page.count
            guard page.count == wanted, offset < Self.openBatchesLimit * 4 else { break }
        }
        return open
    }

    private func windows(_ keys: QueueKeys, offset: Int, count: Int) async throws -> [(parent: String, due: Int)] {
        guard count > 0 else { return [] }
        let reply = try await send(
            RedisCommand("ZRANGE", [keys.windows, String(offset), String(offset + count - 1), "WITHSCORES"]))
        let flat = try reply.decodeArray("batch windows")
        guard flat.count % 2 == 0 else {
            throw BrokerError.malformedReply("batch windows", expected: "parent and due pairs", got: reply)
        }
        return try stride(from: 0, to: flat.count, by: 2).map { index in
            let due = try flat[index + 1].decodeText("batch window due")
            guard let milliseconds = Double(due).map({ Int($0) }) else {
                throw BrokerError.malformedReply("batch window due", expected: "a score in ms", got: flat[index + 1])
            }
            return (try flat[index].decodeText("batch window parent"), milliseconds)
        }
    }
}
