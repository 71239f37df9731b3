import Foundation
public import PostgresClient

/// The system of record on PostgreSQL: one `jobs` row per accepted job.
public final class PostgresJobRecordStore: JobRecordStore {
    let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
    }

    /// Applies the schema migrations; call once at start-up before serving.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await pool.withConnection { connection in
            try await PostgresMigrator().migrate(connection, migrations: JobRecordMigrations.all)
        }
    }

    static let columns = [
        "id", "queue", "kind", "tenant", "actor", "payload", "priority", "max_attempts", "backoff_base_ms",
        "backoff_max_ms", "lease_ms", "run_timeout_ms", "wait_timeout_ms", "idempotency_key", "parent_batch",
        "delay_ms", "webhook_url", "webhook_events", "trace_parent", "concurrency_key",
    ]

    static func row(_ job: JobSubmission) -> [String?] {
        [
            job.id, job.queue, job.kind, job.tenant, job.actor, job.payload, String(job.priority),
            String(job.maxAttempts), String(job.backoff.baseMilliseconds), String(job.backoff.maxMilliseconds),
            String(job.leaseMilliseconds), String(job.runTimeoutMilliseconds), String(job.waitTimeoutMilliseconds),
            job.idempotencyKey, job.parentBatch, String(job.delayMilliseconds), job.webhook?.url,
            job.webhook?.events?.joined(separator: ","), job.traceParent, job.concurrencyKey,
            String(job.createdMilliseconds ?? Int(Date().timeIntervalSince1970 * 1000)),
        ]
    }

    public func recordAccepted(_ jobs: [JobSubmission]) async throws -> [EnqueueOutcome] {
        guard !jobs.isEmpty else { return [] }
        let rows = jobs.map(Self.row)
        return try await pool.withConnection { connection in
            try await connection.withTransaction { connection in
                let inserted: Set<String>
                if rows.count == 1 {
                    let placeholders = (1...Self.columns.count).map { "$\($0)" }.joined(separator: ", ")
                    let result = try connection.query(
                        """
                        INSERT INTO jobs (\(Self.columns.joined(separator: ", ")), created_at, state)
                        VALUES (\(placeholders), to_timestamp($\(Self.columns.count + 1)::bigint / 1000.0), 'queued')
                        ON CONFLICT DO NOTHING RETURNING id::text
                        """, rows[0])
                    inserted = Set(result.rows.compactMap { $0[0] })
                } else {
                    try connection.execute(Self.stagingTable)
                    _ = try connection.copyIn(
                        "COPY accepted_jobs (\(Self.columns.joined(separator: ", ")), created_ms) FROM STDIN", rows: rows)
                    let result = try connection.query(
                        """
                        INSERT INTO jobs (\(Self.columns.joined(separator: ", ")), created_at, state)
                        SELECT \(Self.columns.joined(separator: ", ")), to_timestamp(created_ms / 1000.0), 'queued'
                        FROM accepted_jobs ORDER BY ordinal
                        ON CONFLICT DO NOTHING RETURNING id::text
                        """)
                    inserted = Set(result.rows.compactMap { $0[0] })
                }
                var outcomes: [EnqueueOutcome] = []
                outcomes.reserveCapacity(jobs.count)
                for job in jobs {
                    if inserted.contains(job.id) {
                        outcomes.append(EnqueueOutcome(id: job.id, created: true))
                    } else {
                        outcomes.append(EnqueueOutcome(id: try Self.existingID(for: job, on: connection), created: false))
                    }
                }
                return outcomes
            }
        }
    }

    /// Rows refused by a conflict: the job with the same id, or with the same idempotency key.
    private static func existingID(for job: JobSubmission, on connection: isolated PostgresConnection) throws -> String {
        let result = try connection.query(
            """
            SELECT id::text FROM jobs
            WHERE id = $1::uuid OR (tenant = $2 AND idempotency_key = $3)
            ORDER BY (id = $1::uuid) DESC LIMIT 1
            """, [job.id, job.tenant, job.idempotencyKey])
        guard let id = result.rows.first?[0] else {
            throw BrokerError(.recordStoreUnavailable, "job \(job.id) conflicted but no conflicting row was found")
        }
        return id
    }

    static let stagingTable = """
        CREATE TEMP TABLE IF NOT EXISTS accepted_jobs (
            ordinal bigserial, id uuid, queue text, kind text, tenant text, actor text, payload text,
            priority integer, max_attempts integer, backoff_base_ms integer, backoff_max_ms integer,
            lease_ms integer, run_timeout_ms integer, wait_timeout_ms integer, idempotency_key text,
            parent_batch text, delay_ms integer, webhook_url text, webhook_events text, trace_parent text,
            concurrency_key text, created_ms bigint
        ) ON COMMIT DELETE ROWS;
        CREATE TEMP TABLE IF NOT EXISTS job_transitions (
            id uuid, state text, at_ms bigint, attempts integer, error_code text, error_message text,
            result text, started_ms bigint, worker text
        ) ON COMMIT DELETE ROWS;
        """

    public func applyMilestones(_ milestones: [JobMilestone]) async throws {
        guard !milestones.isEmpty else { return }
        try await pool.withConnection { connection in
            _ = try await connection.query(
                """
                INSERT INTO job_milestones (job_id, percent, reached_at)
                SELECT m.id::uuid, m.percent, to_timestamp(m.at / 1000.0)
                FROM unnest($1::text[], $2::int[], $3::bigint[]) AS m(id, percent, at)
                ON CONFLICT DO NOTHING
                """,
                [
                    PostgresArrayLiteral.text(milestones.map(\.id)),
                    PostgresArrayLiteral.text(milestones.map { String($0.milestone) }),
                    PostgresArrayLiteral.text(milestones.map { String($0.at) }),
                ])
        }
    }

    public func apply(_ records: [JobStateRecord]) async throws {
        guard !records.isEmpty else { return }
        var latest: [String: JobStateRecord] = [:]
        for record in records where latest[record.id].map({ $0.at <= record.at }) ?? true {
            latest[record.id] = record
        }
        let rows: [[String?]] = latest.values.map { r in
            [
                r.id, r.state.rawValue, String(r.at), String(r.attempts), r.errorCode, r.errorMessage, r.result,
                r.started.map(String.init), r.worker,
            ]
        }
        try await pool.withConnection { connection in
            try await connection.withTransaction { connection in
                try connection.execute(Self.stagingTable)
                _ = try connection.copyIn(
                    "COPY job_transitions (id, state, at_ms, attempts, error_code, error_message, result, started_ms, worker) FROM STDIN",
                    rows: rows)
                // A record older than what the row already reflects (two syncers racing) is ignored.
                _ = try connection.query(
                    """
                    UPDATE jobs SET state = t.state, attempts = t.attempts, error_code = t.error_code,
                        error_message = t.error_message, result = t.result, worker = COALESCE(t.worker, jobs.worker),
                        started_at = COALESCE(to_timestamp(t.started_ms / 1000.0), jobs.started_at),
                        finished_at = CASE WHEN t.state IN ('succeeded', 'failed', 'canceled', 'dead')
                            THEN to_timestamp(t.at_ms / 1000.0) END,
                        state_at_ms = t.at_ms, updated_at = now()
                    FROM job_transitions t
                    WHERE jobs.id = t.id AND (jobs.state_at_ms IS NULL OR jobs.state_at_ms <= t.at_ms)
                    """)
            }
        }
    }

    public func openJobs(afterID: String?, minimumAgeMilliseconds: Int, limit: Int) async throws -> [RecordedJob] {
        try await pool.withConnection { connection in
            let result = try await connection.query(
                """
                SELECT \(Self.selectColumns) FROM jobs
                WHERE state NOT IN ('succeeded', 'failed', 'canceled', 'dead')
                  AND ($1::uuid IS NULL OR id > $1::uuid)
                  AND created_at <= now() - ($2::bigint * interval '1 millisecond')
                ORDER BY id LIMIT $3
                """, [afterID, String(minimumAgeMilliseconds), String(limit)])
            return try result.rows.map(Self.recordedJob)
        }
    }

    public func job(id: String) async throws -> RecordedJob? {
        guard JobID.isValid(id) else { return nil }
        return try await pool.withConnection { connection in
            let result = try await connection.query("SELECT \(Self.selectColumns) FROM jobs WHERE id = $1::uuid", [id])
            return try result.rows.first.map(Self.recordedJob)
        }
    }

    /// How many children of a batch are in `state`.
    public func count(parentBatch: String, state: JobState) async throws -> Int {
        try await pool.withConnection { connection in
            let result = try await connection.query(
                "SELECT count(*) FROM jobs WHERE parent_batch = $1 AND state = $2", [parentBatch, state.rawValue])
            guard let text = result.rows.first?.first ?? nil, let count = Int(text) else {
                throw BrokerError(.malformedReply, "count(*) of batch children did not return a number", field: "count")
            }
            return count
        }
    }
}
