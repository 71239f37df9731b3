extension PostgresJobRecordStore {
    /// The columns every job read selects, in the order `recordedJob(_:)` decodes them.
    static let selectColumns = """
        id::text, queue, kind, tenant, actor, payload, priority, max_attempts, backoff_base_ms, backoff_max_ms,
        lease_ms, run_timeout_ms, wait_timeout_ms, idempotency_key, parent_batch, delay_ms,
        (extract(epoch FROM created_at) * 1000)::bigint, state, attempts, result, error_code, error_message,
        trace_parent, concurrency_key
        """

    /// Decodes one `selectColumns` row. A row of another shape (a NULL where the schema has
    /// NOT NULL, text where a number belongs, an unknown state) throws `.malformedReply` naming
    /// the column instead of defaulting, so a schema drift surfaces at the first read.
    static func recordedJob(_ row: [String?]) throws -> RecordedJob {
        let columns = JobRecordRow(values: row)
        guard row.count == 24 else {
            throw BrokerError(
                .malformedReply, "a jobs row has \(row.count) columns, expected 24", field: "jobs")
        }
        var submission = JobSubmission(
            id: try columns.text(0, "id"), kind: try columns.text(2, "kind"), queue: try columns.text(1, "queue"),
            tenant: try columns.text(3, "tenant"), actor: try columns.text(4, "actor"),
            payload: try columns.text(5, "payload"), priority: try columns.int(6, "priority"),
            maxAttempts: try columns.int(7, "max_attempts"),
            backoff: BackoffPolicy(
                baseMilliseconds: try columns.int(8, "backoff_base_ms"),
                maxMilliseconds: try columns.int(9, "backoff_max_ms")),
            leaseMilliseconds: try columns.int(10, "lease_ms"),
            runTimeoutMilliseconds: try columns.int(11, "run_timeout_ms"),
            waitTimeoutMilliseconds: try columns.int(12, "wait_timeout_ms"), idempotencyKey: row[13],
            parentBatch: row[14], delayMilliseconds: try columns.int(15, "delay_ms"),
            createdMilliseconds: try columns.int(16, "created_at"))
        submission.traceParent = row[22]
        submission.concurrencyKey = row[23]
        let stateText = try columns.text(17, "state")
        guard let state = JobState(rawValue: stateText) else {
            throw BrokerError(
                .malformedReply, "jobs.state of \(submission.id) is '\(stateText)', not a job state",
                field: "jobs.state")
        }
        return RecordedJob(
            submission: submission, state: state, attempts: try columns.int(18, "attempts"), result: row[19],
            errorCode: row[20], errorMessage: row[21])
    }
}

/// Typed, throwing access to the text-format values of one `jobs` row.
private struct JobRecordRow {
    let values: [String?]

    func text(_ index: Int, _ column: String) throws -> String {
        guard index < values.count, let value = values[index] else {
            throw BrokerError(.malformedReply, "jobs.\(column) is NULL or missing", field: "jobs.\(column)")
        }
        return value
    }

    func int(_ index: Int, _ column: String) throws -> Int {
        let value = try text(index, column)
        guard let number = Int(value) else {
            throw BrokerError(
                .malformedReply, "jobs.\(column) is '\(value)', not an integer", field: "jobs.\(column)")
        }
        return number
    }
}
