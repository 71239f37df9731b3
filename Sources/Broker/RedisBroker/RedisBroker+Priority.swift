extension RedisBroker {
    /// Job hashes per script call: a batch of 100,000 lines is promoted in 100 calls, none of
    /// which holds Redis for long.
    static let reprioritizeChunk = 1_000

    public func reprioritize(queue: String, ids: [String], priority: Int) async throws -> Int {
        let range = JobSubmission.Limits().priorities
        guard range.contains(priority) else {
            throw BrokerError(
                .invalidJob, "priority: must be in \(range.lowerBound)...\(range.upperBound)", field: "priority")
        }
        if let invalid = ids.first(where: { !JobID.isValid($0) }) {
            throw BrokerError(.invalidJob, "id: '\(invalid.prefix(64))' is not a job id", field: "id")
        }
        let keys = keys(queue)
        var changed = 0
        for start in stride(from: 0, to: ids.count, by: Self.reprioritizeChunk) {
            let chunk = ids[start..<min(start + Self.reprioritizeChunk, ids.count)]
            let reply = try await run(
                BrokerScript.reprioritize, queue: queue, jobKeys: chunk.map { keys.job($0) }, arguments: [String(priority)])
            changed += try reply.decodeInt("reprioritize reply")
        }
        return changed
    }
}
