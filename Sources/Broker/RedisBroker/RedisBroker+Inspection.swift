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

    /// Every snapshot read is this one pipeline: each job's hash, and its rank in the ready
    /// set for the position of a queued one.
    func snapshots(_ jobs: [JobReference]) async throws -> [JobSnapshot?] {
        guard !jobs.isEmpty else { return [] }
        var commands: [RedisCommand] = []
        commands.reserveCapacity(jobs.count * 2)
        for job in jobs {
            let keys = keys(job.queue)
            commands.append(RedisCommand("HGETALL", [keys.job(job.id)]))
            commands.append(RedisCommand("ZRANK", [keys.ready, job.id]))
        }
        let replies = try await pipeline(commands)
        return try jobs.indices.map { i in
            guard var snapshot = try Self.snapshot(queue: jobs[i].queue, reply: replies[2 * i]) else { return nil }
            if snapshot.state == .queued {
                snapshot.queuePosition = try replies[2 * i + 1].decodeOptionalInt("queue position")
            }
            return snapshot
        }
    }

    /// A job hash (`HGETALL`) as a snapshot; nil for a job Redis does not have.
    static func snapshot(queue: String, reply: RESPValue) throws -> JobSnapshot? {
        let fields = try reply.decodeFields("job hash")
        return fields.isEmpty ? nil : JobSnapshot(queue: queue, fields: fields)
    }

    public func states(queue: String, ids: [String]) async throws -> [JobState?] {
        guard !ids.isEmpty else { return [] }
        let keys = keys(queue)
        let replies = try await pipeline(ids.map { RedisCommand("HGET", [keys.job($0), "state"]) })
        return replies.map { $0.string.flatMap(JobState.init(rawValue:)) }
    }

    public func makeEventReader(queue: String) async throws -> any JobEventReader {
        try await RedisEventReader(broker: self, queue: queue)
    }

    public func depth(queue: String) async throws -> QueueDepth {
        let keys = keys(queue)
        let replies = try await pool.connection().pipeline([
            RedisCommand("ZCARD", [keys.ready]),
            RedisCommand("ZCARD", [keys.delayed]),
            RedisCommand("ZCARD", [keys.active]),
            RedisCommand("ZCARD", [keys.dead]),
            RedisCommand("ZCARD", [keys.finished]),
            RedisCommand("ZRANGE", [keys.queuedAt, "0", "0", "WITHSCORES"]),
            RedisCommand("HGETALL", [keys.meta]),
            RedisCommand("TIME"),
        ])
        if let failure = replies.first(where: { if case .error = $0 { return true } else { return false } }) {
            throw BrokerError(.brokerUnavailable, "depth of \(queue): \(failure)")
        }
        var meta: [String: String] = [:]
        let metaValues = replies[6].array ?? []
        for i in stride(from: 0, to: metaValues.count - 1, by: 2) {
            if let name = metaValues[i].string { meta[name] = metaValues[i + 1].string }
        }
        let time = replies[7].array ?? []
        let nowMilliseconds = (time.first?.int ?? 0) * 1000 + (time.count > 1 ? (time[1].int ?? 0) / 1000 : 0)
        let oldest = replies[5].array ?? []
        let oldestAge = oldest.count == 2 ? max(0, nowMilliseconds - (oldest[1].string.flatMap { Double($0) }.map { Int($0) } ?? nowMilliseconds)) : 0
        func counter(_ name: String) -> Int { meta[name].flatMap { Int($0) } ?? 0 }
        return QueueDepth(
            queue: queue, queued: replies[0].int ?? 0, scheduled: replies[1].int ?? 0, active: replies[2].int ?? 0,
            dead: replies[3].int ?? 0, finished: replies[4].int ?? 0, oldestQueuedMilliseconds: oldestAge,
            paused: meta["paused"] == "1", enqueuedTotal: counter("enqueued_total"),
            succeededTotal: counter("succeeded_total"), failedTotal: counter("failed_total"),
            canceledTotal: counter("canceled_total"), retriedTotal: counter("retried_total"),
            recoveredTotal: counter("recovered_total"), deadTotal: counter("dead_total"))
    }

    public func deadJobs(queue: String, limit: Int) async throws -> [String] {
        let reply = try await send(RedisCommand("ZRANGE", [keys(queue).dead, "0", String(max(0, limit - 1))]))
        return (reply.array ?? []).compactMap(\.string)
    }

    /// Ids in the ready set, best first (for queue positions and `doctor`).
    public func readyJobs(queue: String, limit: Int) async throws -> [String] {
        let reply = try await send(RedisCommand("ZRANGE", [keys(queue).ready, "0", String(max(0, limit - 1))]))
        return (reply.array ?? []).compactMap(\.string)
    }

    /// Commands in one round trip on the pool; an error reply to any of them fails the lot.
    func pipeline(_ commands: [RedisCommand]) async throws -> [RESPValue] {
        let replies: [RESPValue]
        do {
            replies = try await pool.connection().pipeline(commands)
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
