extension JobSnapshot {
    /// A job hash as `HGETALL` returns it: the fields `enqueue` writes are required, the ones
    /// later steps add are optional, and a field that is there must parse.
    init(queue: String, hash fields: [String: String]) throws {
        let id = fields[JobField.id.rawValue] ?? "?"
        func malformed(_ name: String, _ expected: String) -> BrokerError {
            BrokerError.malformedReply(
                "job \(id) \(name)", expected: expected, got: fields[name].map { .bulkString(Array($0.utf8)) } ?? .null)
        }
        func required(_ name: String) throws -> String {
            guard let value = fields[name] else { throw malformed(name, "text") }
            return value
        }
        func required(_ field: JobField) throws -> String { try required(field.rawValue) }
        func int(_ name: String) throws -> Int? {
            guard let text = fields[name] else { return nil }
            guard let value = Int(text) else { throw malformed(name, "an integer") }
            return value
        }
        func requiredInt(_ name: String) throws -> Int {
            guard let value = try int(name) else { throw malformed(name, "an integer") }
            return value
        }
        /// Optional text stored as '' for none.
        func text(_ name: String) -> String? { fields[name].flatMap { $0.isEmpty ? nil : $0 } }
        guard let state = JobState(rawValue: try required("state")) else { throw malformed("state", "a job state") }
        var progress: Double?
        if let text = fields["progress"] {
            guard let value = Double(text) else { throw malformed("progress", "a number") }
            progress = value
        }
        self.init(
            id: try required(.id), queue: queue, kind: try required(.kind), tenant: try required(.tenant),
            actor: try required(.actor), payload: try required(.payload), state: state,
            priority: try requiredInt(JobField.priority.rawValue), attempts: try requiredInt("attempts"),
            maxAttempts: try requiredInt(JobField.maxAttempts.rawValue), attemptID: text("attempt_id"),
            worker: text("worker"), idempotencyKey: text(JobField.idempotencyKey.rawValue),
            parentBatch: text(JobField.parentBatch.rawValue), progress: progress,
            progressMessage: text("progress_message"), checkpoint: fields["checkpoint"],
            cancelRequested: fields["cancel_requested"] == "1", result: fields["result"],
            errorCode: text("error_code"), errorMessage: text("error_message"),
            errorRetriable: fields["error_retriable"].map { $0 == "1" },
            createdMilliseconds: try int(JobField.createdMilliseconds.rawValue),
            scheduledMilliseconds: try int("scheduled_ms"), startedMilliseconds: try int("started_ms"),
            claimedMilliseconds: try int("claimed_ms"), finishedMilliseconds: try int("finished_ms"),
            // Only a running attempt has a lease: the scripts leave a finished job's stale value.
            leaseDeadlineMilliseconds: state == .starting || state == .processing ? try int("lease_deadline_ms") : nil)
        faultDomains = fields["fault_domains"].map { $0.split(separator: "\n").map(String.init) } ?? []
        failedAttempts = (fields["attempt_log"] ?? "").split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let attempt = Int(parts[0]) else { return nil }
            return FailedAttempt(attempt: attempt, worker: String(parts[1]), errorCode: String(parts[2]))
        }
    }
}
