public import Foundation
import PostgresClient
public import VelocityTypes

/// One delivery as the service sends it.
public struct WebhookDelivery: Sendable, Equatable {
    /// `webhook-id`: the same for every attempt.
    public var id: String
    /// The job it reports, or the OpenAI batch.
    public var jobID: String
    public var tenant: String
    public var url: String
    /// `job.succeeded`, `job.failed`, `job.canceled`, `job.dead`; `batch.completed`, `batch.failed`,
    /// `batch.expired`, `batch.cancelled`.
    public var event: String
    /// When the job reached the state (ms since 1970): the body's `timestamp`.
    public var occurredMilliseconds: Int
    /// This attempt's number, 1 for the first.
    public var attempt: Int
    /// How long ago the delivery was made, for the give-up horizon.
    public var ageMilliseconds: Int
    /// The job as the body's `data` reports it, read with the claim; nil when its row is gone.
    public var document: JSONValue? = nil
    /// When this sender leased it: past the lease another may send it, so this one must not.
    public var claimedAt = ContinuousClock.now
}

extension WebhookStore {
    /// Leases up to `limit` due deliveries for `lease` (a crashed sender's lease runs out and
    /// another sends them again, with the same id) and counts their attempt.
    public func claimDue(limit: Int, lease: Duration) async throws -> [WebhookDelivery] {
        guard limit > 0 else { return [] }
        return try await postgres.withConnection { connection in
            try await connection.query(
                """
                WITH claimed AS (
                    UPDATE webhook_deliveries d SET attempts = d.attempts + 1,
                        locked_until = now() + make_interval(secs => $2::double precision)
                    WHERE d.id IN (
                        SELECT id FROM webhook_deliveries
                        WHERE state = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until <= now())
                        ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
                    RETURNING d.id, d.job_id, coalesce(d.batch_id, d.crm_import_id::text) AS batch_id, d.document, d.tenant, d.url, d.event, d.occurred_at, d.attempts,
                        d.created_at)
                SELECT c.id, c.job_id::text AS job_id, c.batch_id, c.document::text AS own_document, c.tenant, c.url, c.event,
                    (extract(epoch FROM c.occurred_at) * 1000)::bigint AS occurred_ms, c.attempts,
                    (extract(epoch FROM now() - c.created_at) * 1000)::bigint AS age_ms, \(Self.documentColumns)
                FROM claimed c LEFT JOIN jobs j ON j.id = c.job_id
                """, [String(limit), String(Double(lease.components.seconds))]
            ).map { row in
                var delivery = WebhookDelivery(
                    id: row["id"] ?? "", jobID: row["job_id"] ?? row["batch_id"] ?? "", tenant: row["tenant"] ?? "",
                    url: row["url"] ?? "",
                    event: row["event"] ?? "", occurredMilliseconds: Int(row["occurred_ms"] ?? "") ?? 0,
                    attempt: Int(row["attempts"] ?? "") ?? 1, ageMilliseconds: Int(row["age_ms"] ?? "") ?? 0)
                // A batch's end carries its own document; a job's is read from its record now.
                delivery.document = row["own_document"].flatMap { JSONValue(parsing: $0) } ?? Self.document(row)
                return delivery
            }
        }
    }

    /// The job columns the body reports, from `jobs j`.
    static let documentColumns = """
        j.id::text AS doc_id, j.kind, j.queue, j.tenant AS doc_tenant, j.state, j.attempts AS doc_attempts, j.max_attempts,
        j.result, j.error_code, j.error_message, j.parent_batch,
        to_char(j.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created,
        to_char(j.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS finished
        """

    /// The body's `data` from a row with `documentColumns`; nil when the job row is gone.
    static func document(_ row: PostgresRow) -> JSONValue? {
        guard let id = row["doc_id"] else { return nil }
        var object: [String: JSONValue] = [
            "id": .string(id), "kind": .string(row["kind"] ?? ""), "queue": .string(row["queue"] ?? ""),
            "tenant": .string(row["doc_tenant"] ?? ""), "status": .string(row["state"] ?? ""),
            "attempts": .int(Int64(row["doc_attempts"] ?? "") ?? 0), "max_attempts": .int(Int64(row["max_attempts"] ?? "") ?? 0),
            "created_at": row["created"].map(JSONValue.string) ?? .null,
            "finished_at": row["finished"].map(JSONValue.string) ?? .null,
            "parent_batch": row["parent_batch"].map(JSONValue.string) ?? .null,
            "result": row["result"].map { JSONValue(parsing: $0) ?? .string($0) } ?? .null,
            "error": .null,
        ]
        if let code = row["error_code"] {
            object["error"] = .object(["code": .string(code), "message": .string(row["error_message"] ?? "")])
        }
        return .object(object)
    }

    /// How an attempt ended.
    public enum Outcome: Sendable, Equatable {
        case delivered
        case retry(after: Duration)
        case failed
    }

    /// Records an attempt and what follows it.
    public func record(
        _ delivery: WebhookDelivery, status: Int?, error: String?, latencyMilliseconds: Int, outcome: Outcome
    ) async throws {
        let (state, delay): (String, Double) =
            switch outcome {
            case .delivered: ("delivered", 0)
            case .retry(let after): ("pending", Double(after.milliseconds) / 1000)
            case .failed: ("failed", 0)
            }
        try await postgres.withConnection { connection in
            // One statement: the attempt and the delivery's next state commit together.
            _ = try await connection.query(
                """
                WITH attempt AS (
                    INSERT INTO webhook_attempts (delivery_id, attempt, status, error, latency_ms)
                    VALUES ($1, $6, $3::integer, $4, $7) ON CONFLICT (delivery_id, attempt) DO NOTHING)
                UPDATE webhook_deliveries SET state = $2, locked_until = NULL, last_status = $3::integer, last_error = $4,
                    next_attempt_at = now() + make_interval(secs => $5::double precision),
                    finished_at = CASE WHEN $2 = 'pending' THEN NULL ELSE now() END
                WHERE id = $1 AND attempts = $6 AND state = 'pending'
                """,
                [
                    delivery.id, state, status.map(String.init), error, String(delay), String(delivery.attempt),
                    String(latencyMilliseconds),
                ])
        }
    }

    /// Deliveries waiting (pending), and the age of the oldest, for `/metrics`.
    public func backlog() async throws -> (pending: Int, oldestAge: Duration) {
        try await postgres.withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT count(*) AS pending,
                    coalesce((extract(epoch FROM now() - min(created_at)) * 1000)::bigint, 0) AS oldest_ms
                FROM webhook_deliveries WHERE state = 'pending'
                """)
            return (Int(rows.first?["pending"] ?? "") ?? 0, .milliseconds(Int(rows.first?["oldest_ms"] ?? "") ?? 0))
        }
    }

    /// Gives a claimed delivery back unsent (its host is saturated): the attempt is not counted,
    /// and it is not due again for `after`.
    public func unclaim(_ delivery: WebhookDelivery, after: Duration) async throws {
        try await postgres.withConnection { connection in
            _ = try await connection.query(
                """
                UPDATE webhook_deliveries SET attempts = attempts - 1, locked_until = NULL,
                    next_attempt_at = now() + make_interval(secs => $3::double precision)
                WHERE id = $1 AND attempts = $2 AND state = 'pending'
                """, [delivery.id, String(delivery.attempt), String(Double(after.milliseconds) / 1000)])
        }
    }

    /// A job's deliveries with their attempts, for `GET /v1/jobs/{id}/webhooks`; the tenant's only.
    public func deliveries(jobID: String, tenant: String) async throws -> JSONValue {
        try await deliveries(where: "job_id = $1::uuid", id: jobID, tenant: tenant)
    }

    /// An OpenAI batch's deliveries with their attempts, for `GET /v1/batches/{id}/webhooks`.
    public func deliveries(batchID: String, tenant: String) async throws -> JSONValue {
        try await deliveries(where: "batch_id = $1", id: batchID, tenant: tenant)
    }

    /// A CRM import's deliveries with their attempts, for `GET /api/crm/imports/{id}/webhooks`.
    public func deliveries(crmImportID: String, tenant: String) async throws -> JSONValue {
        try await deliveries(where: "crm_import_id = $1::uuid", id: crmImportID, tenant: tenant)
    }

    private func deliveries(where subject: String, id: String, tenant: String) async throws -> JSONValue {
        try await postgres.withConnection { connection in
            let deliveries = try await connection.query(
                """
                SELECT id, url, event, state, attempts, last_status, last_error,
                    to_char(next_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS next_at
                FROM webhook_deliveries WHERE \(subject) AND tenant = $2 ORDER BY created_at
                """, [id, tenant])
            let attempts = try await connection.query(
                """
                SELECT a.delivery_id, a.attempt, a.status, a.error, a.latency_ms,
                    to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
                FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
                WHERE d.\(subject) AND d.tenant = $2 ORDER BY a.delivery_id, a.attempt
                """, [id, tenant])
            return .array(
                deliveries.map { row in
                    let id = row["id"] ?? ""
                    let tries: [JSONValue] = attempts.filter { $0["delivery_id"] == id }.map { attempt in
                        .object([
                            "attempt": .int(Int64(attempt["attempt"] ?? "") ?? 0), "at": .string(attempt["at"] ?? ""),
                            "status": attempt["status"].flatMap { Int64($0) }.map(JSONValue.int) ?? .null,
                            "error": attempt["error"].map(JSONValue.string) ?? .null,
                            "latency_ms": .int(Int64(attempt["latency_ms"] ?? "") ?? 0),
                        ])
                    }
                    let state = row["state"] ?? ""
                    return .object([
                        "id": .string(id), "url": .string(row["url"] ?? ""), "event": .string(row["event"] ?? ""),
                        "state": .string(state), "attempts": .array(tries),
                        "next_attempt_at": state == "pending" ? .string(row["next_at"] ?? "") : .null,
                    ])
                })
        }
    }
}
