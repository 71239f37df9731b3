import RedisClient

extension RedisBroker {
    struct ClaimReply {
        var paused: Bool
        var nextDueMilliseconds: Int?
        var jobs: [ClaimedJob]
    }

    /// Parses the claim reply written by the prelude's `claim_reply`, starting at `from`.
    static func parseClaimReply(_ values: [RESPValue], from start: Int, queue: String) throws -> ClaimReply {
        guard values.count >= start + 2, (values.count - start - 2) % BrokerScript.claimFields == 0 else {
            throw BrokerError(.brokerUnavailable, "claim reply has \(values.count - start) fields")
        }
        let nextDue = values[start + 1].int ?? -1
        var jobs: [ClaimedJob] = []
        jobs.reserveCapacity((values.count - start - 2) / BrokerScript.claimFields)
        var i = start + 2
        while i < values.count {
            func text(_ offset: Int) -> String { values[i + offset].string ?? "" }
            func int(_ offset: Int) -> Int { values[i + offset].int ?? 0 }
            let checkpoint = text(7)
            jobs.append(
                ClaimedJob(
                    lease: JobLease(queue: queue, jobID: text(0), attemptID: text(1)), kind: text(4), tenant: text(5),
                    payload: text(6), attempt: int(2), maxAttempts: int(3), checkpoint: checkpoint.isEmpty ? nil : checkpoint,
                    leaseDeadlineMilliseconds: int(8), leaseMilliseconds: int(9), createdMilliseconds: int(10),
                    priority: int(11), claimedMilliseconds: int(12)))
            i += BrokerScript.claimFields
        }
        return ClaimReply(paused: values[start].int == 1, nextDueMilliseconds: nextDue >= 0 ? nextDue : nil, jobs: jobs)
    }

    /// Parses `complete`: n, n statuses, then a claim reply.
    static func parseCompleteReply(_ reply: RESPValue, queue: String) throws -> (refused: [BrokerError?], claimed: [ClaimedJob]) {
        guard let values = reply.array, let count = values.first?.int, values.count >= 1 + count else {
            throw BrokerError(.brokerUnavailable, "complete answered \(reply)")
        }
        let refused: [BrokerError?] = values[1...count].map { status in
            let text = status.string ?? ""
            return text == "OK" ? nil : refusal(text) ?? BrokerError(.brokerUnavailable, text)
        }
        let claimed = try parseClaimReply(values, from: 1 + count, queue: queue)
        return (refused, claimed.jobs)
    }
}
