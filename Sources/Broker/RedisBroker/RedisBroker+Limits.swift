public import RedisClient

extension RedisBroker {
    /// Replaces the queue's weights, caps and rates; jobs parked under the old ones get another
    /// look at the next claim. Returns how many parked jobs went back to their tenants.
    @discardableResult
    public func setLimits(queue: String, _ limits: QueueLimits) async throws -> Int {
        try limits.validate()
        let reply = try await run(BrokerScript.setLimits, queue: queue, arguments: limits.fields)
        return try reply.decodeInt("set_limits reply")
    }

    public func limits(queue: String) async throws -> QueueLimits {
        try QueueLimits(fields: try await send(RedisCommand("HGETALL", [keys(queue).limits])).decodeFields("queue limits"))
    }

    public func recentRunMilliseconds(queue: String) async throws -> [Int] {
        try await send(RedisCommand("LRANGE", [keys(queue).durations, "0", "-1"])).decodeArray("run times")
            .map { try $0.decodeInt("run time") }
    }

    public func fairShare(queue: String) async throws -> QueueFairShare {
        let reply = try await run(BrokerScript.share, queue: queue, arguments: [])
        let values = try reply.decodeArray("share reply", count: 6)
        func counts(_ value: RESPValue, _ name: String) throws -> [String: Int] {
            try value.decodeFields(name).mapValues { text in
                guard let count = Int(text) else {
                    throw BrokerError.malformedReply(name, expected: "integer counts", got: value)
                }
                return count
            }
        }
        return QueueFairShare(
            queue: queue, queuedByTenant: try counts(values[0], "share queued by tenant"),
            running: try counts(values[1], "share running"), parked: try counts(values[2], "share parked"),
            throttledTotal: try values[3].decodeInt("share throttled"),
            limits: try QueueLimits(fields: try values[4].decodeFields("share limits")),
            queuedByPriority: try counts(values[5], "share queued by priority").reduce(into: [:]) { bands, entry in
                guard let priority = Int(entry.key) else {
                    throw BrokerError.malformedReply("share queued by priority", expected: "integer bands", got: values[5])
                }
                bands[priority] = entry.value
            })
    }

    /// Positions, waiting reasons and ETAs of `snapshots`' queued jobs of one queue: the reply
    /// of one `standing` call whose job keys are theirs, in `indices` order.
    static func addStanding(_ reply: RESPValue, to snapshots: inout [JobSnapshot?], at indices: [Int], queue: String)
        throws
    {
        let values = try reply.decodeArray("standing reply")
        guard values.count == 5 + 3 * indices.count else {
            throw BrokerError.malformedReply("standing reply", expected: "5 + 3 per job", got: reply)
        }
        let running = try values[0].decodeInt("standing running")
        let idle = try values[1].decodeInt("standing idle")
        func runs(_ value: RESPValue) throws -> [Int] {
            try value.decodeArray("standing run times").map { try $0.decodeInt("standing run time") }
        }
        let queueRuns = try runs(values[2])
        let kindList = try values[3].decodeArray("standing kinds")
        var kindRuns: [String: [Int]] = [:]
        for pair in Swift.stride(from: 0, to: kindList.count - 1, by: 2) {
            kindRuns[try kindList[pair].decodeText("standing kind")] = try runs(kindList[pair + 1])
        }
        let rateText = try values[4].decodeText("standing throughput")
        guard rateText.isEmpty || Double(rateText) != nil else {
            throw BrokerError.malformedReply("standing throughput", expected: "a number or ''", got: values[4])
        }
        let throughput = Double(rateText)
        for (offset, index) in indices.enumerated() {
            let base = 5 + 3 * offset
            let position = try values[base].decodeInt("standing position")
            var reason = try values[base + 1].decodeText("standing reason")
            let kind = try values[base + 2].decodeText("standing kind")
            if reason.isEmpty, running == 0, idle < 0 || idle > Self.idleWorkerMilliseconds {
                reason =
                    idle < 0
                    ? Self.noWorkerReasonPrefix + "has claimed from queue \(queue) yet"
                    : Self.noWorkerReasonPrefix + "is serving queue \(queue) (none has claimed for \(idle / 1000) s)"
            }
            snapshots[index]?.queuePosition = position >= 0 ? position : nil
            snapshots[index]?.waitingReason = reason.isEmpty ? nil : reason
            if reason.isEmpty, position >= 0 {
                snapshots[index]?.eta = JobETA.estimate(
                    position: position, running: running, kindRuns: kindRuns[kind] ?? [], queueRuns: queueRuns,
                    throughput: throughput)
            }
        }
    }

    /// How long a queue may go without a claim while nothing runs before its queued jobs say
    /// no worker serves it: an idle consumer claims at least every `maxBlockMilliseconds`.
    static let idleWorkerMilliseconds = 5_000

    /// How a reason that no worker serves the queue begins (a GPU box serving it overrides it).
    public static let noWorkerReasonPrefix = "waiting: no worker "
}
