import Foundation
public import JobContracts
public import PostgresClient
import VelocityTypes

/// `intel_qd_scores`: each `qd.score` job's bundle, one row per job, read back as a person's
/// QD history.
public struct QDScoreStore: Sendable {
    public let postgres: PostgresPool

    public init(postgres: PostgresPool) {
        self.postgres = postgres
    }

    /// Stores the bundle of job `jobID`; a retried attempt of the same job keeps the row the
    /// first stored (the job's id is unique), and returns that row's bundle so the job's result
    /// and the history agree.
    public func record(_ bundle: QDSignalBundle, jobID: String, tenant: String, packet: PerceptionPacket) async throws
        -> QDSignalBundle
    {
        let json = try QDScore.encode(result: bundle)
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                WITH inserted AS (
                    INSERT INTO intel_qd_scores (signal_id, tenant_id, job_id, person_id, lead_id, session_id,
                        score_type, value, confidence, window_start_ms, window_end_ms, bundle)
                    VALUES ($1::uuid, $2, $3::uuid, $4, $5, $6, $7, $8::int, $9::double precision, $10::bigint,
                        $11::bigint, $12::jsonb)
                    ON CONFLICT (job_id) DO NOTHING
                    RETURNING bundle::text
                )
                SELECT bundle FROM inserted
                UNION ALL SELECT bundle::text FROM intel_qd_scores WHERE job_id = $3::uuid
                LIMIT 1
                """,
                [bundle.signal_id, tenant, jobID, packet.person_id, packet.lead_id, packet.session_id, bundle.score_type,
                 String(bundle.value), String(bundle.confidence), String(bundle.time_window.start_ms),
                 String(bundle.time_window.end_ms), json])
        }
        if let text = rows.rows.first?.first ?? nil { return try Self.decode(text) }
        // Another attempt of the job committed its row while this statement ran, out of its
        // snapshot: a statement of its own sees it.
        let again = try await postgres.withConnection { connection in
            try await connection.query("SELECT bundle::text FROM intel_qd_scores WHERE job_id = $1::uuid", [jobID])
        }
        guard let text = again.rows.first?.first ?? nil else {
            throw PostgresError(.queryFailed, "intel_qd_scores: the row of job \(jobID) was neither inserted nor found")
        }
        return try Self.decode(text)
    }

    /// A person's scores, newest first, as `tenant` may see them; `before` is the `signal_id`
    /// of the last row of the previous page.
    public func history(tenant: String, personID: String, before: String?, limit: Int) async throws -> [QDSignalBundle] {
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT bundle::text FROM intel_qd_scores
                WHERE tenant_id = $1 AND person_id = $2
                  AND ($3::uuid IS NULL OR (created_at, signal_id) < (
                      SELECT created_at, signal_id FROM intel_qd_scores WHERE signal_id = $3::uuid AND tenant_id = $1))
                ORDER BY created_at DESC, signal_id DESC
                LIMIT $4::int
                """, [tenant, personID, before, String(limit)])
        }
        return try rows.rows.map { row in
            guard let text = row.first ?? nil else {
                throw PostgresError(.queryFailed, "intel_qd_scores.bundle is NULL")
            }
            return try Self.decode(text)
        }
    }

    static func decode(_ text: String) throws -> QDSignalBundle {
        try JSONDecoder().decode(QDSignalBundle.self, from: Data(text.utf8))
    }
}
