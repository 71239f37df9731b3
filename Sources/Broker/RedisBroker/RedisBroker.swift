public import RedisClient

/// The broker on Redis: every state change is one Lua script over one queue's hash-tagged keys.
public final class RedisBroker: JobBroker {
    public let configuration: RedisBrokerConfiguration
    public let pool: RedisPool
    let header: [String]

    public init(pool: RedisPool, configuration: RedisBrokerConfiguration = RedisBrokerConfiguration()) {
        self.pool = pool
        self.configuration = configuration
        self.header = configuration.scriptHeader
    }

    /// Where this broker's Redis is, for components that need connections of their own.
    public var redisConfiguration: RedisConfiguration { pool.configuration }

    public func keys(_ queue: String) -> QueueKeys {
        QueueKeys(namespace: configuration.namespace, queue: queue)
    }

    /// Runs a broker script on the pool with the shared KEYS and ARGV headers.
    func run(_ script: RedisScript, queue: String, jobKeys: [String] = [], arguments: [String]) async throws -> RESPValue {
        let keys = keys(queue)
        do {
            return try await pool.evaluate(script, keys: keys.scriptKeys + jobKeys, arguments: header + arguments)
        } catch let error as RedisError {
            throw Self.brokerError(error)
        }
    }

    /// Turns the `VJ_…` errors raised by scripts into broker errors; the rest are outages.
    static func brokerError(_ error: RedisError) -> BrokerError {
        guard error.code == .redisScript else {
            return BrokerError(.brokerUnavailable, error.message, cause: error)
        }
        return refusal(error.message) ?? BrokerError(.brokerUnavailable, error.message, cause: error)
    }

    static func refusal(_ message: String) -> BrokerError? {
        // Redis 7 prefixes `error_reply` texts that lack an error code of its liking with "ERR ".
        let message = message.hasPrefix("ERR ") ? String(message.dropFirst(4)) : message
        if message.hasPrefix("VJ_STALE_ATTEMPT") {
            return BrokerError(.staleAttempt, "the attempt is no longer current: the job was recovered, reclaimed or has ended")
        }
        if message.hasPrefix("VJ_NOT_FOUND") { return BrokerError(.jobNotFound, "no such job") }
        if message.hasPrefix("VJ_NOT_DEAD") {
            return BrokerError(.jobNotDead, "only dead jobs can be replayed: " + message.dropFirst("VJ_NOT_DEAD ".count))
        }
        return nil
    }

    public func enqueue(_ jobs: [JobSubmission]) async throws -> [EnqueueOutcome] {
        for job in jobs { try job.validate(configuration.submissionLimits) }
        var outcomes = [EnqueueOutcome?](repeating: nil, count: jobs.count)
        let byQueue = Dictionary(grouping: jobs.indices, by: { jobs[$0].queue })
        for (queue, indices) in byQueue {
            // Chunks keep each script short, so Redis serves other clients in between. They go
            // in order on one connection, each encoded while Redis runs the one before.
            let size = configuration.enqueueChunkSize
            let chunks = stride(from: 0, to: indices.count, by: size).map {
                indices[$0..<min($0 + size, indices.count)]
            }
            let keys = keys(queue).scriptKeys
            let header = self.header
            let replies: [RESPValue]
            do {
                replies = try await pool.withConnection(forKey: keys.first) { connection in
                    try connection.evaluate(BrokerScript.enqueue, calls: chunks.count) { index in
                        let chunk = chunks[index]
                        var arguments = header
                        arguments.reserveCapacity(header.count + 1 + chunk.count * BrokerScript.enqueueFields)
                        arguments.append(String(chunk.count))
                        for index in chunk { JobField.encode(jobs[index], into: &arguments) }
                        return (keys, arguments)
                    }
                }
            } catch let error as RedisError {
                throw Self.brokerError(error)
            }
            for (chunk, reply) in zip(chunks, replies) {
                let values = try reply.decodeArray("enqueue reply", count: chunk.count * 2)
                for (offset, index) in chunk.enumerated() {
                    outcomes[index] = EnqueueOutcome(
                        id: try values[offset * 2].decodeText("enqueue reply id"),
                        created: try values[offset * 2 + 1].decodeInt("enqueue reply created") == 1)
                }
            }
        }
        return outcomes.map { $0! }
    }

    public func makeConsumer(queue: String, workerID: String) async throws -> any JobConsumer {
        try await RedisQueueConsumer(broker: self, queue: queue, workerID: workerID)
    }

    public func heartbeat(_ lease: JobLease, progress: JobProgress?) async throws -> HeartbeatReply {
        let checkpoint = progress?.checkpoint
        let reply = try await run(
            BrokerScript.heartbeat, queue: lease.queue, jobKeys: [keys(lease.queue).job(lease.jobID)],
            arguments: [
                lease.attemptID, "0", progress?.fraction.map { String(min(max($0, 0), 1)) } ?? "",
                progress?.message ?? "", checkpoint == nil ? "0" : "1", checkpoint ?? "",
            ])
        return try Self.parseHeartbeatReply(reply)
    }

    public func complete(_ lease: JobLease, result: String?) async throws {
        if let error = try await complete([JobCompletion(lease: lease, result: result)]).first ?? nil { throw error }
    }

    public func complete(_ completions: [JobCompletion]) async throws -> [BrokerError?] {
        for completion in completions { try checkResult(completion.result) }
        var refused = [BrokerError?](repeating: nil, count: completions.count)
        let byQueue = Dictionary(grouping: completions.indices, by: { completions[$0].lease.queue })
        for (queue, indices) in byQueue {
            let keys = keys(queue)
            var arguments = ["0", ""]
            for index in indices {
                arguments.append(completions[index].lease.attemptID)
                arguments.append(completions[index].result ?? "")
            }
            let reply = try await run(
                BrokerScript.complete, queue: queue, jobKeys: indices.map { keys.job(completions[$0].lease.jobID) },
                arguments: arguments)
            for (offset, error) in try Self.parseCompleteReply(reply, queue: queue).refused.enumerated() {
                refused[indices[offset]] = error
            }
        }
        return refused
    }

    func checkResult(_ result: String?) throws {
        if let result, result.utf8.count > configuration.maxResultBytes {
            throw BrokerError(
                .resultTooLarge,
                "result is \(result.utf8.count) bytes; the limit is \(configuration.maxResultBytes): store it as a blob and return its reference"
            )
        }
    }

    public func fail(_ lease: JobLease, _ failure: JobFailure) async throws -> JobState {
        try checkResult(failure.response)
        var delay = failure.delayMilliseconds ?? 0
        if failure.disposition == .error, failure.retriable {
            delay = try await backoffDelay(for: lease)
        }
        let reply = try await run(
            BrokerScript.fail, queue: lease.queue, jobKeys: [keys(lease.queue).job(lease.jobID)],
            arguments: [
                lease.attemptID, failure.disposition.rawValue, failure.code, failure.message,
                failure.retriable ? "1" : "0", String(delay), failure.faultDomain ?? "",
                String(JobFailure.faultDomainLimit), failure.response ?? "",
            ])
        return try reply.decodeState("fail reply state")
    }

    /// The job's backoff after its current attempt; read here because jitter needs a random
    /// source, which Redis scripts do not have.
    private func backoffDelay(for lease: JobLease) async throws -> Int {
        let reply = try await send(
            RedisCommand("HMGET", [keys(lease.queue).job(lease.jobID), JobField.backoff.rawValue, "attempts"]))
        let values = try reply.decodeArray("backoff and attempts", count: 2)
        // The job is gone: no delay to compute, and the fail script refuses the lease.
        if values[0] == .null { return 0 }
        let encoded = try values[0].decodeText("job hash backoff")
        guard let policy = BackoffPolicy(encoded: encoded) else {
            throw BrokerError.malformedReply("job hash backoff", expected: "'base,max'", got: values[0])
        }
        return policy.delayMilliseconds(afterAttempt: try values[1].decodeInt("job hash attempts"))
    }

    public func cancel(queue: String, jobID: String) async throws -> CancelOutcome {
        let keys = keys(queue)
        let reply = try await run(BrokerScript.cancel, queue: queue, jobKeys: [keys.job(jobID)], arguments: [])
        switch try reply.decodeText("cancel reply") {
        case "canceled": return .canceled
        case "cancel_requested": return .requested
        case let other where other.hasPrefix("ended:"):
            guard let state = JobState(rawValue: String(other.dropFirst(6))) else { fallthrough }
            return .alreadyFinished(state)
        default:
            throw BrokerError.malformedReply("cancel reply", expected: "canceled, cancel_requested or ended:<state>", got: reply)
        }
    }

    public func setPaused(queue: String, _ paused: Bool) async throws {
        _ = try await run(BrokerScript.setPaused, queue: queue, arguments: [paused ? "1" : "0"])
    }

    public func replay(queue: String, jobID: String) async throws {
        _ = try await run(BrokerScript.replay, queue: queue, jobKeys: [keys(queue).job(jobID)], arguments: [])
    }

    public func recoverExpiredLeases(queue: String) async throws -> Int {
        try await recover(queue: queue).recovered
    }

    /// Recovers expired leases; also says how long until the next lease could expire.
    public func recover(queue: String) async throws -> (recovered: Int, nextDeadlineMilliseconds: Int?) {
        let reply = try await run(BrokerScript.recover, queue: queue, arguments: [String(configuration.recoveryBatch)])
        let values = try reply.decodeArray("recover reply", count: 2)
        let wait = try values[1].decodeInt("recover reply next deadline")
        return (try values[0].decodeInt("recover reply count"), wait >= 0 ? wait : nil)
    }
}
