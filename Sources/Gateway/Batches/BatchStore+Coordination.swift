import Broker
import Foundation

/// The queries `BatchCoordinator` drives batches with.
///
/// Several gateway processes may run coordinators on one database. A process works a batch's
/// next step only while it holds the batch's lease (`lease_owner`, `lease_until`), taken by a
/// conditional `UPDATE` that only one process can win; every transition names the status it
/// leaves and the lease holder, so a process whose lease ran out changes nothing.
extension BatchStore {
    /// Batches with work left and no live lease, oldest first.
    func claimableBatches(limit: Int) async throws -> [(id: String, status: BatchStatus)] {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT id, status FROM batches
                WHERE status IN ('validating', 'in_progress', 'finalizing', 'cancelling')
                  AND (lease_until IS NULL OR lease_until < now())
                ORDER BY created_at, id LIMIT $1
                """, [String(limit)])
        }
        return rows.compactMap { row in
            guard let id = row["id"], let status = row["status"].flatMap(BatchStatus.init(rawValue:)) else {
                return nil
            }
            return (id, status)
        }
    }

    /// Takes the lease of a batch still in `status`; nil when another process holds it or the
    /// status moved on. `pastExpiry` tells whether its completion window has run out.
    func claim(
        id: String, status: BatchStatus, owner: String, leaseMilliseconds: Int
    ) async throws -> (batch: StoredBatch, pastExpiry: Bool)? {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                UPDATE batches SET lease_owner = $3, lease_until = now() + $4::bigint * interval '1 millisecond'
                WHERE id = $1 AND status = $2 AND (lease_until IS NULL OR lease_until < now())
                RETURNING \(Self.batchColumns), (expires_at IS NOT NULL AND expires_at <= now()) AS past_expiry
                """, [id, status.rawValue, owner, String(leaseMilliseconds)])
        }
        guard let row = rows.first, let batch = Self.batch(row) else { return nil }
        return (batch, row["past_expiry"] == "t")
    }

    /// Gives a lease back so the next pass (of any process) can take the batch at once.
    func release(id: String, owner: String) async throws {
        _ = try await pool.withConnection { connection in
            try await connection.query(
                "UPDATE batches SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2",
                [id, owner])
        }
    }

    /// Moves a leased batch from `from` to `to`, stamping `<to>_at` and releasing the lease;
    /// false when the batch left `from` meanwhile (a cancel) or the lease was lost.
    func transition(
        id: String, from: BatchStatus, to: BatchStatus, owner: String, total: Int? = nil, completed: Int? = nil,
        failed: Int? = nil, errors: String? = nil, outputFileID: String? = nil, errorFileID: String? = nil,
        keepLease: Bool = false
    ) async throws -> Bool {
        // `to` is one of our own enum's names, never client text.
        let stamp = "\(to.rawValue)_at"
        let lease = keepLease ? "" : ", lease_owner = NULL, lease_until = NULL"
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                UPDATE batches SET status = $2, \(stamp) = COALESCE(\(stamp), now()),
                    total = COALESCE($5::integer, total), completed = COALESCE($6::integer, completed),
                    failed = COALESCE($7::integer, failed), errors = COALESCE($8, errors),
                    output_file_id = COALESCE($9, output_file_id), error_file_id = COALESCE($10, error_file_id)
                    \(lease)
                WHERE id = $1 AND status = $3 AND lease_owner = $4
                """,
                [
                    id, to.rawValue, from.rawValue, owner, total.map(String.init), completed.map(String.init),
                    failed.map(String.init), errors, outputFileID, errorFileID,
                ])
        }
        return rows.affectedRows > 0
    }

    /// Records progress on a batch without changing its status.
    func updateCounts(id: String, completed: Int, failed: Int) async throws {
        _ = try await pool.withConnection { connection in
            try await connection.query(
                "UPDATE batches SET completed = $2, failed = $3 WHERE id = $1 AND (completed <> $2 OR failed <> $3)",
                [id, String(completed), String(failed)])
        }
    }
}

extension BatchStore {
    /// Records that the batch's open lines were promoted to `priority` (the first promotion's
    /// time is kept); false when they already were, to that class or a higher one.
    @discardableResult
    func markPromoted(id: String, priority: Int) async throws -> Bool {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                UPDATE batches SET promoted_at = coalesce(promoted_at, now()), promoted_priority = $2::int
                WHERE id = $1 AND (promoted_priority IS NULL OR promoted_priority < $2::int) RETURNING id
                """, [id, String(priority)])
        }
        return !rows.isEmpty
    }

    /// Every batch running now, for the window gauges.
    func inProgressBatches(limit: Int = 1_000) async throws -> [StoredBatch] {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                "SELECT \(Self.batchColumns) FROM batches WHERE status = 'in_progress' ORDER BY created_at, id LIMIT $1",
                [String(limit)])
        }
        return rows.compactMap(Self.batch)
    }

    /// The number of requests of a batch whose children exist.
    func setTotal(id: String, total: Int) async throws {
        _ = try await pool.withConnection { connection in
            try await connection.query("UPDATE batches SET total = $2 WHERE id = $1", [id, String(total)])
        }
    }
}
