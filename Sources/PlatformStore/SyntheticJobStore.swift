public import PostgresClient
import VelocityTypes

/// `oracle_synthetic_jobs` and `oracle_synthetic_examples`: the gateway creates, lists and
/// cancels jobs and serves their examples; the LLM worker reads a job's spec and stores each
/// line's example, where the unique digest per job is what drops exact duplicates.
public struct SyntheticJobStore: Sendable {
    public let postgres: PostgresPool

    public init(postgres: PostgresPool) {
        self.postgres = postgres
    }

    /// Stores `job`; with an idempotency key the tenant used before, returns that job instead
    /// (`created` false) so a retried request does not start a second one.
    public func create(_ job: SyntheticJob, idempotencyKey: String?) async throws -> (job: SyntheticJob, created: Bool) {
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                WITH inserted AS (
                    INSERT INTO oracle_synthetic_jobs (id, tenant_id, template_id, schema, count, examples, temperature,
                        idempotency_key, created_by, expires_at)
                    VALUES ($1::uuid, $2, $3, $4::jsonb, $5::int, $6::jsonb, $7::double precision, $8, $9,
                        now() + make_interval(secs => $10::int))
                    ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
                    RETURNING \(Self.columns), true AS created
                )
                SELECT * FROM inserted
                UNION ALL
                SELECT \(Self.columns), false FROM oracle_synthetic_jobs
                WHERE tenant_id = $2 AND idempotency_key = $8 AND NOT EXISTS (SELECT 1 FROM inserted)
                """,
                [
                    job.id, job.tenant, job.templateID, job.schema.jsonText, String(job.count),
                    JSONValue.array(job.examples).jsonText, String(job.temperature), idempotencyKey, job.createdBy,
                    String(job.completionWindowSeconds),
                ])
        }
        if let row = rows.rows.first { return (try Self.job(row), row[Self.columnCount] == "t") }
        // A request with the same key committed while this statement ran, out of its snapshot:
        // a statement of its own sees it.
        let again = try await postgres.withConnection { connection in
            try await connection.query(
                "SELECT \(Self.columns) FROM oracle_synthetic_jobs WHERE tenant_id = $1 AND idempotency_key = $2",
                [job.tenant, idempotencyKey])
        }
        guard let row = again.rows.first else {
            throw PostgresError(.queryFailed, "oracle_synthetic_jobs: job \(job.id) was neither created nor found")
        }
        return (try Self.job(row), false)
    }

    /// The job, whoever owns it (the worker's read); nil for an unknown id.
    public func job(id: String) async throws -> SyntheticJob? {
        guard Self.isUUID(id) else { return nil }
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                "SELECT \(Self.columns) FROM oracle_synthetic_jobs WHERE id = $1::uuid", [id])
        }
        return try rows.rows.first.map(Self.job)
    }

    /// The tenant's job with its counts; nil for an unknown id or another tenant's job.
    public func summary(id: String, tenant: String) async throws -> SyntheticJobSummary? {
        guard Self.isUUID(id) else { return nil }
        return try await summaries(where: "j.id = $1::uuid AND j.tenant_id = $2", [id, tenant]).first
    }

    /// The tenant's jobs, newest first, with their counts; `before` is the last id of the
    /// previous page.
    public func list(tenant: String, before: String?, limit: Int) async throws -> [SyntheticJobSummary] {
        if let before, !Self.isUUID(before) { return [] }
        return try await summaries(
            where: """
                j.tenant_id = $1 AND ($2::uuid IS NULL OR (j.created_at, j.id) < (
                    SELECT created_at, id FROM oracle_synthetic_jobs WHERE id = $2::uuid AND tenant_id = $1))
                ORDER BY j.created_at DESC, j.id DESC LIMIT $3::int
                """, [tenant, before, String(limit)])
    }

    /// Marks the tenant's job canceled; false for an unknown id or another tenant's job.
    public func markCanceled(id: String, tenant: String) async throws -> Bool {
        guard Self.isUUID(id) else { return false }
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                UPDATE oracle_synthetic_jobs SET canceled_at = coalesce(canceled_at, now())
                WHERE id = $1::uuid AND tenant_id = $2
                """, [id, tenant])
        }
        return rows.affectedRows == 1
    }

    /// Of `ids`, the jobs with a window that were not canceled: what the window promoter weighs.
    public func windowed(ids: [String]) async throws -> [SyntheticJob] {
        let uuids = ids.filter(Self.isUUID)
        guard !uuids.isEmpty else { return [] }
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT \(Self.columns) FROM oracle_synthetic_jobs
                WHERE id = ANY($1::uuid[]) AND expires_at IS NOT NULL AND canceled_at IS NULL
                """, [PostgresArrayLiteral.text(uuids)])
        }
        return try rows.rows.map(Self.job)
    }

    /// Records that the job's open lines were promoted to `priority` (the first promotion's time
    /// is kept); a lower class than the one recorded changes nothing.
    public func markPromoted(id: String, priority: Int) async throws {
        guard Self.isUUID(id) else { return }
        _ = try await postgres.withConnection { connection in
            try await connection.query(
                """
                UPDATE oracle_synthetic_jobs SET promoted_at = coalesce(promoted_at, now()), promoted_priority = $2::int
                WHERE id = $1::uuid AND (promoted_priority IS NULL OR promoted_priority < $2::int)
                """, [id, String(priority)])
        }
    }

    private func summaries(where condition: String, _ parameters: [String?]) async throws -> [SyntheticJobSummary] {
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT \(Self.columns),
                    (SELECT count(*) FROM oracle_synthetic_examples e WHERE e.synthetic_job_id = j.id),
                    (SELECT count(*) FROM oracle_synthetic_examples e
                     WHERE e.synthetic_job_id = j.id AND (e.llm_calls > 1 OR e.regenerations > 0))
                FROM oracle_synthetic_jobs j WHERE \(condition)
                """, parameters)
        }
        return try rows.rows.map { row in
            SyntheticJobSummary(
                job: try Self.job(row), valid: try Self.int(row, Self.columnCount, "valid"),
                retried: try Self.int(row, Self.columnCount + 1, "retried"))
        }
    }
}
