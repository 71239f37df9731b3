import RedisClient

extension RedisBroker {
    struct ClaimReply {
        var paused: Bool
        var nextDueMilliseconds: Int?
        var jobs: [ClaimedJob]
    }

    /// Parses the claim reply written by the prelude's `claim_reply`, starting at `from`: the
    /// paused flag, ms until the next delayed job (-1: none), then `ClaimField`s per job.
    static func parseClaimReply(_ values: [RESPValue], from start: Int, queue: String) throws -> ClaimReply {
        let stride = BrokerScript.claimFields
        guard values.count >= start + 2, (values.count - start - 2) % stride == 0 else {
            throw BrokerError.malformedReply(
                "claim reply", expected: "2 header fields then \(stride) per job", got: .array(Array(values[start...])))
        }
        let paused = try values[start].decodeInt("claim reply paused")
        let nextDue = try values[start + 1].decodeInt("claim reply next due")
        var jobs: [ClaimedJob] = []
        jobs.reserveCapacity((values.count - start - 2) / stride)
        for base in Swift.stride(from: start + 2, to: values.count, by: stride) {
            func text(_ field: ClaimField) throws -> String {
                try values[base + field.offset].decodeText("claim reply \(field.rawValue)")
            }
            func int(_ field: ClaimField) throws -> Int {
                try values[base + field.offset].decodeInt("claim reply \(field.rawValue)")
            }
            let checkpoint = try text(.checkpoint)
            let trace = try text(.traceParent)
            jobs.append(
                ClaimedJob(
                    lease: JobLease(queue: queue, jobID: try text(.id), attemptID: try text(.attemptID)),
                    kind: try text(.kind), tenant: try text(.tenant), payload: try text(.payload),
                    attempt: try int(.attempts), maxAttempts: try int(.maxAttempts),
                    checkpoint: checkpoint.isEmpty ? nil : checkpoint,
                    leaseDeadlineMilliseconds: try int(.leaseDeadlineMilliseconds),
                    leaseMilliseconds: try int(.leaseMilliseconds), createdMilliseconds: try int(.createdMilliseconds),
                    priority: try int(.priority), claimedMilliseconds: try int(.claimedMilliseconds),
                    traceParent: trace.isEmpty ? nil : trace))
        }
        return ClaimReply(paused: paused == 1, nextDueMilliseconds: nextDue >= 0 ? nextDue : nil, jobs: jobs)
    }

    /// Parses `complete`: n, n statuses, then a claim reply.
    static func parseCompleteReply(_ reply: RESPValue, queue: String) throws -> (refused: [BrokerError?], claimed: [ClaimedJob]) {
        let values = try reply.decodeArray("complete reply")
        let count = try (values.first ?? .null).decodeInt("complete reply count")
        guard count >= 0, values.count >= 1 + count else {
            throw BrokerError.malformedReply("complete reply", expected: "\(count) statuses", got: reply)
        }
        let refused: [BrokerError?] = try values[1..<(1 + count)].map { status in
            let text = try status.decodeText("complete reply status")
            if text == "OK" { return nil }
            guard let refusal = refusal(text) else {
                throw BrokerError.malformedReply("complete reply status", expected: "OK or a refusal", got: status)
            }
            return refusal
        }
        let claimed = try parseClaimReply(values, from: 1 + count, queue: queue)
        return (refused, claimed.jobs)
    }

    /// Parses `heartbeat`: {lease deadline ms, cancel requested (0/1)}.
    static func parseHeartbeatReply(_ reply: RESPValue) throws -> HeartbeatReply {
        let values = try reply.decodeArray("heartbeat reply", count: 2)
        return HeartbeatReply(
            leaseDeadlineMilliseconds: try values[0].decodeInt("heartbeat reply lease deadline"),
            cancelRequested: try values[1].decodeInt("heartbeat reply cancel requested") == 1)
    }
}
