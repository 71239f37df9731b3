import Crypto
import Foundation
import PostgresClient
public import VelocityTypes

extension SyntheticJobStore {
    /// What storing a line's example did.
    public enum StoredExample: Sendable, Equatable {
        /// The example is the line's.
        case stored
        /// Another line of the job already has this exact example: regenerate.
        case duplicate
        /// The line was stored by an earlier attempt (a retry after a crash): keep that one.
        case alreadyStored
    }

    /// Stores line `line`'s example, unless the job already has the same example (compared
    /// by the SHA-256 of its canonical JSON: sorted keys, no spaces).
    public func store(
        example: JSONValue, line: Int, of job: SyntheticJob, llmCalls: Int, regenerations: Int
    ) async throws -> StoredExample {
        let canonical = example.jsonText
        let digest = Self.digest(canonical)
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                WITH inserted AS (
                    INSERT INTO oracle_synthetic_examples (synthetic_job_id, line, tenant_id, example, digest, llm_calls,
                        regenerations)
                    VALUES ($1::uuid, $2::int, $3, $4::jsonb, $5, $6::int, $7::int)
                    ON CONFLICT DO NOTHING
                    RETURNING 'stored'
                )
                SELECT * FROM inserted
                UNION ALL
                SELECT 'already' FROM oracle_synthetic_examples
                WHERE synthetic_job_id = $1::uuid AND line = $2::int AND NOT EXISTS (SELECT 1 FROM inserted)
                """,
                [job.id, String(line), job.tenant, canonical, digest, String(llmCalls), String(regenerations)])
        }
        switch rows.rows.first?.first ?? nil {
        case "stored": return .stored
        case "already": return .alreadyStored
        default:
            // The statement's snapshot cannot see a row another attempt of this line committed
            // while it ran: ask again before calling the example a duplicate.
            return try await storedExample(jobID: job.id, line: line) == nil ? .duplicate : .alreadyStored
        }
    }

    /// Line `line`'s stored example and what it took, or nil while the line has none.
    public func storedExample(jobID: String, line: Int) async throws
        -> (example: JSONValue, llmCalls: Int, regenerations: Int)?
    {
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT example::text, llm_calls, regenerations FROM oracle_synthetic_examples
                WHERE synthetic_job_id = $1::uuid AND line = $2::int
                """, [jobID, String(line)])
        }
        guard let row = rows.rows.first else { return nil }
        guard let example = JSONValue(parsing: try Self.text(row, 0, "example")) else {
            throw Self.malformed("examples.example", "is not JSON")
        }
        return (example, try Self.int(row, 1, "llm_calls"), try Self.int(row, 2, "regenerations"))
    }

    /// A page of the job's examples in line order.
    public func examples(jobID: String, afterLine: Int, limit: Int) async throws -> [(line: Int, example: JSONValue)] {
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT line, example::text FROM oracle_synthetic_examples
                WHERE synthetic_job_id = $1::uuid AND line > $2::int ORDER BY line LIMIT $3::int
                """, [jobID, String(afterLine), String(limit)])
        }
        return try rows.rows.map { row in
            guard let example = JSONValue(parsing: try Self.text(row, 1, "example")) else {
                throw Self.malformed("examples.example", "is not JSON")
            }
            return (try Self.int(row, 0, "line"), example)
        }
    }

    static func digest(_ canonical: String) -> String {
        Hex.lowercase(SHA256.hash(data: Data(canonical.utf8)))
    }
}
