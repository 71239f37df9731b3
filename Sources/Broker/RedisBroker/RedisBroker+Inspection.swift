public import RedisClient

extension RedisBroker {
    public func job(queue: String, id: String) async throws -> JobSnapshot? {
        try await snapshots([JobReference(queue: queue, id: id)])[0]
    }

    public func job(id: String, queues: [String]) async throws -> JobSnapshot? {
        try await snapshots(queues.map { JobReference(queue: $0, id: id) }).lazy.compactMap { $0 }.first
    }

    public func jobs(queue: String, ids: [String]) async throws -> [JobSnapshot?] {
        try await snapshots(ids.map { JobReference(queue: queue, id: $0) })
    }

    /// Every snapshot read is one pipeline of the jobs' hashes, then, for queued ones, one
    /// `standing` call per queue for their positions, waiting reasons and ETAs — all on one
    /// connection in one visit to its thread.
    func snapshots(_ jobs: [JobReference]) async throws -> [JobSnapshot?] {
        guard !jobs.isEmpty else { return [] }
        if pool.configuration.isCluster, Set(jobs.map(\.queue)).count > 1 {
            // In a cluster each queue may live on another node: one read per queue.
            var snapshots = [JobSnapshot?](repeating: nil, count: jobs.count)
            for (_, indices) in Dictionary(grouping: jobs.indices, by: { jobs[$0].queue }) {
                for (index, snapshot) in zip(indices, try await self.snapshots(indices.map { jobs[$0] })) {
                    snapshots[index] = snapshot
                }
            }
            return snapshots
        }
        let commands = jobs.map { RedisCommand("HGETALL", [keys($0.queue).job($0.id)]) }
        let queueKeys = Dictionary(Set(jobs.map(\.queue)).map { ($0, keys($0)) }, uniquingKeysWith: { a, _ in a })
        let header = self.header
        do {
            return try await pool.withConnection(forKey: keys(jobs[0].queue).meta) { connection in
                let replies = try connection.pipeline(commands)
                for case .error(let message) in replies { throw RedisError(.redisServer, message) }
                var snapshots = try jobs.indices.map { try Self.snapshot(queue: jobs[$0].queue, reply: replies[$0]) }
                let queued = snapshots.indices.filter { snapshots[$0]?.state == .queued }
                for (queue, indices) in Dictionary(grouping: queued, by: { jobs[$0].queue }) {
                    let keys = queueKeys[queue]!
                    let reply = try connection.evaluate(
                        BrokerScript.standing, keys: keys.scriptKeys + indices.map { keys.job(snapshots[$0]!.id) },
                        arguments: header)
                    try Self.addStanding(reply, to: &snapshots, at: indices, queue: queue)
                }
                return snapshots
            }
        } catch let error as RedisError {
            throw Self.brokerError(error)
        }
    }

    /// A job hash (`HGETALL`) as a snapshot; nil for a job Redis does not have.
    static func snapshot(queue: String, reply: RESPValue) throws -> JobSnapshot? {
        let fields = try reply.decodeFields("job hash")
        return fields.isEmpty ? nil : try JobSnapshot(queue: queue, hash: fields)
    }

    public func states(queue: String, ids: [String]) async throws -> [JobState?] {
        guard !ids.isEmpty else { return [] }
        let keys = keys(queue)
        let replies = try await pipeline(ids.map { RedisCommand("HGET", [keys.job($0), "state"]) })
        return try replies.map { $0 == .null ? nil : try $0.decodeState("job state") }
    }

    public func makeEventReader(queue: String) async throws -> any JobEventReader {
        try await RedisEventReader(broker: self, queue: queue, stream: keys(queue).events)
    }

    public func makeCancelReader(queue: String) async throws -> any JobEventReader {
        try await RedisEventReader(broker: self, queue: queue, stream: keys(queue).cancels)
    }

    public func depth(queue: String) async throws -> QueueDepth {
        let keys = keys(queue)
        let replies = try await pipeline([
            RedisCommand("ZCARD", [keys.queuedAt]),
            RedisCommand("ZCARD", [keys.delayed]),
            RedisCommand("ZCARD", [keys.active]),
            RedisCommand("ZCARD", [keys.dead]),
            RedisCommand("ZCARD", [keys.finished]),
            RedisCommand("ZRANGE", [keys.queuedAt, "0", "0", "WITHSCORES"]),
            RedisCommand("HGETALL", [keys.meta]),
            RedisCommand("TIME"),
        ])
        let meta = try replies[6].decodeFields("queue meta")
        let time = try replies[7].decodeArray("TIME", count: 2)
        let nowMilliseconds =
            try time[0].decodeInt("TIME seconds") * 1000 + time[1].decodeInt("TIME microseconds") / 1000
        var oldestAge = 0
        let oldest = try replies[5].decodeArray("oldest queued")
        if !oldest.isEmpty {
            let score = try oldest[oldest.count - 1].decodeText("oldest queued time")
            guard oldest.count == 2, let since = Double(score) else {
                throw BrokerError.malformedReply("oldest queued", expected: "[id, time]", got: replies[5])
            }
            oldestAge = max(0, nowMilliseconds - Int(since))
        }
        func counter(_ name: String) throws -> Int {
            guard let text = meta[name] else { return 0 }
            guard let value = Int(text) else {
                throw BrokerError.malformedReply(
                    "queue meta \(name)", expected: "an integer", got: .bulkString(Array(text.utf8)))
            }
            return value
        }
        return QueueDepth(
            queue: queue, queued: try replies[0].decodeInt("ready count"),
            scheduled: try replies[1].decodeInt("delayed count"), active: try replies[2].decodeInt("active count"),
            dead: try replies[3].decodeInt("dead count"), finished: try replies[4].decodeInt("finished count"),
            oldestQueuedMilliseconds: oldestAge, paused: meta["paused"] == "1",
            enqueuedTotal: try counter("enqueued_total"), succeededTotal: try counter("succeeded_total"),
            failedTotal: try counter("failed_total"), canceledTotal: try counter("canceled_total"),
            retriedTotal: try counter("retried_total"), recoveredTotal: try counter("recovered_total"),
            deadTotal: try counter("dead_total"))
    }

    public func batchCounts(queue: String, parents: [String]) async throws -> [String: BatchStateCounts] {
        guard !parents.isEmpty else { return [:] }
        let keys = keys(queue)
        let replies = try await pipeline(parents.map { RedisCommand("HGETALL", [keys.batch($0)]) })
        var counts: [String: BatchStateCounts] = [:]
        for (parent, reply) in zip(parents, replies) {
            let fields = try reply.decodeFields("batch counts")
            func count(_ name: String) throws -> Int {
                guard let text = fields[name] else { return 0 }
                guard let value = Int(text) else {
                    throw BrokerError.malformedReply("batch counts \(name)", expected: "an integer", got: reply)
                }
                return value
            }
            counts[parent] = BatchStateCounts(
                queued: try count("queued"), running: try count("running"), succeeded: try count("succeeded"),
                failed: try count("failed"), canceled: try count("canceled"), dead: try count("dead"))
        }
        return counts
    }

    public func deadJobs(queue: String, limit: Int) async throws -> [String] {
        let reply = try await send(RedisCommand("ZRANGE", [keys(queue).dead, "0", String(max(0, limit - 1))]))
        return try reply.decodeArray("dead jobs").map { try $0.decodeText("dead job id") }
    }

    /// Ids of ready jobs, the longest waiting first (parked jobs included). Not the fair order a
    /// claim follows: `JobSnapshot.queuePosition` counts that.
    public func readyJobs(queue: String, limit: Int) async throws -> [String] {
        let reply = try await send(RedisCommand("ZRANGE", [keys(queue).queuedAt, "0", String(max(0, limit - 1))]))
        return try reply.decodeArray("ready jobs").map { try $0.decodeText("ready job id") }
    }

    /// Commands in one round trip on the pool; an error reply to any of them fails the lot.
    func pipeline(_ commands: [RedisCommand]) async throws -> [RESPValue] {
        let replies: [RESPValue]
        do {
            replies = try await pool.pipeline(commands)
        } catch let error as RedisError {
            throw Self.brokerError(error)
        }
        for case .error(let message) in replies {
            throw Self.brokerError(RedisError(.redisServer, message))
        }
        return replies
    }

    /// One raw command on the pool, with Redis errors mapped to broker errors.
    public func send(_ command: RedisCommand) async throws -> RESPValue {
        do {
            return try await pool.send(command)
        } catch let error as RedisError {
            throw Self.brokerError(error)
        }
    }
}
