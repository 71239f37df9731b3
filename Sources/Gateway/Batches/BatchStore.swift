import Broker
import Foundation
import JobTracing
import VelocityTypes

/// The `files` and `batches` tables: OpenAI-style files and batches, tenant-scoped.
///
/// Timestamps leave PostgreSQL as unix seconds, the unit of OpenAI's objects.
struct BatchStore: Sendable {
    let pool: PostgresPool

    /// A row of `files`.
    struct StoredFile: Sendable, Equatable {
        var id: String
        var tenant: String
        var purpose: String
        var filename: String
        var bytes: Int
        var blobKey: String
        var createdAt: Int

        var object: FileObject {
            FileObject(id: id, bytes: bytes, created_at: createdAt, filename: filename, purpose: purpose)
        }
    }

    static func epoch(_ column: String) -> String {
        "floor(extract(epoch FROM \(column)))::bigint AS \(column)"
    }

    static let fileColumns = "id, tenant, purpose, filename, bytes, blob_key, \(epoch("created_at"))"

    static func file(_ row: PostgresRow) -> StoredFile? {
        guard let id = row["id"], let tenant = row["tenant"] else { return nil }
        return StoredFile(
            id: id, tenant: tenant, purpose: row["purpose"] ?? "", filename: row["filename"] ?? "",
            bytes: row["bytes"].flatMap { Int($0) } ?? 0, blobKey: row["blob_key"] ?? "",
            createdAt: row["created_at"].flatMap { Int($0) } ?? 0)
    }

    /// Records a stored blob as a file; `replace` lets a re-run of a batch's finalization
    /// overwrite the row its crashed run left.
    @discardableResult
    func insertFile(
        id: String, tenant: String, purpose: String, filename: String, bytes: Int, blobKey: String,
        replace: Bool = false
    ) async throws -> StoredFile {
        let conflict = replace ? "ON CONFLICT (id) DO UPDATE SET bytes = EXCLUDED.bytes, blob_key = EXCLUDED.blob_key" : ""
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO files (id, tenant, purpose, filename, bytes, blob_key) VALUES ($1, $2, $3, $4, $5, $6)
                \(conflict) RETURNING \(Self.fileColumns)
                """, [id, tenant, purpose, filename, String(bytes), blobKey])
        }
        guard let row = rows.first, let file = Self.file(row) else {
            throw GatewayError(.internalServerError, .internalError, "file \(id) was not recorded")
        }
        return file
    }

    func file(id: String) async throws -> StoredFile? {
        let rows = try await pool.withConnection { connection in
            try await connection.query("SELECT \(Self.fileColumns) FROM files WHERE id = $1", [id])
        }
        return rows.first.flatMap(Self.file)
    }

    /// A tenant's files, newest first, after the cursor `after` (a file id).
    func files(tenant: String, purpose: String?, after: String?, limit: Int) async throws -> [StoredFile] {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT \(Self.fileColumns) FROM files
                WHERE tenant = $1 AND ($2::text IS NULL OR purpose = $2)
                  AND ($3::text IS NULL OR (files.created_at, files.id) <
                       (SELECT f.created_at, f.id FROM files f WHERE f.id = $3))
                ORDER BY files.created_at DESC, files.id DESC LIMIT $4
                """, [tenant, purpose, after, String(limit)])
        }
        return rows.compactMap(Self.file)
    }

    // MARK: Batches

    /// A row of `batches`.
    struct StoredBatch: Sendable, Equatable {
        var id: String
        var tenant: String
        var endpoint: String
        var inputFileID: String
        var completionWindow: String
        var status: BatchStatus
        /// JSON text of an object, or nil.
        var metadata: String?
        var total: Int
        var completed: Int
        var failed: Int
        /// JSON text of `[BatchLineError]`, or nil.
        var errors: String?
        var outputFileID: String?
        var errorFileID: String?
        /// The traceparent of the request that made it, which its lines' jobs continue.
        var traceParent: String? = nil
        var createdAt: Int
        var inProgressAt: Int?
        var expiresAt: Int?
        var finalizingAt: Int?
        var completedAt: Int?
        var failedAt: Int?
        var expiredAt: Int?
        var cancellingAt: Int?
        var cancelledAt: Int?
        var promotedAt: Int? = nil
        /// The deadline class its open lines were last promoted to.
        var promotedPriority: Int? = nil

        var lineErrors: [BatchLineError]? {
            errors.flatMap { try? JSONDecoder().decode([BatchLineError].self, from: Data($0.utf8)) }
        }

        var object: BatchObject {
            BatchObject(
                id: id, endpoint: endpoint, errors: lineErrors.map { BatchObject.Errors(data: $0) },
                input_file_id: inputFileID, completion_window: completionWindow, status: status.rawValue,
                output_file_id: outputFileID, error_file_id: errorFileID, created_at: createdAt,
                in_progress_at: inProgressAt, expires_at: expiresAt, finalizing_at: finalizingAt,
                completed_at: completedAt, failed_at: failedAt, expired_at: expiredAt, cancelling_at: cancellingAt,
                cancelled_at: cancelledAt,
                request_counts: .init(total: total, completed: completed, failed: failed),
                metadata: metadata.flatMap { JSONValue(parsing: $0) }, window: windowView(now: Date().timeIntervalSince1970))
        }

        /// Its window's risk while it runs, from the counts last stored (`BatchWindow`).
        func window(now: Double) -> BatchWindow? {
            guard status == .in_progress, let expiresAt else { return nil }
            return BatchWindow.assess(
                total: total, ended: completed + failed, startedAt: Double(inProgressAt ?? createdAt),
                expiresAt: Double(expiresAt), now: now, promoted: promotedAt != nil)
        }

        func windowView(now: Double) -> BatchObject.Window? {
            window(now: now).map { BatchObject.Window($0, promotedAt: promotedAt, promotedPriority: promotedPriority) }
        }
    }

    static let timestampColumns = [
        "created_at", "in_progress_at", "expires_at", "finalizing_at", "completed_at", "failed_at", "expired_at",
        "cancelling_at", "cancelled_at", "promoted_at",
    ]

    static let batchColumns =
        "id, tenant, endpoint, input_file_id, completion_window, status, metadata, total, completed, failed, errors, "
        + "output_file_id, error_file_id, trace_parent, promoted_priority, " + timestampColumns.map(epoch).joined(separator: ", ")

    static func batch(_ row: PostgresRow) -> StoredBatch? {
        guard let id = row["id"], let tenant = row["tenant"],
            let status = row["status"].flatMap(BatchStatus.init(rawValue:))
        else { return nil }
        func int(_ column: String) -> Int? { row[column].flatMap { Int($0) } }
        var batch = StoredBatch(
            id: id, tenant: tenant, endpoint: row["endpoint"] ?? "", inputFileID: row["input_file_id"] ?? "",
            completionWindow: row["completion_window"] ?? "", status: status, metadata: row["metadata"],
            total: int("total") ?? 0, completed: int("completed") ?? 0, failed: int("failed") ?? 0,
            errors: row["errors"], outputFileID: row["output_file_id"], errorFileID: row["error_file_id"],
            createdAt: int("created_at") ?? 0, inProgressAt: int("in_progress_at"), expiresAt: int("expires_at"),
            finalizingAt: int("finalizing_at"), completedAt: int("completed_at"), failedAt: int("failed_at"),
            expiredAt: int("expired_at"), cancellingAt: int("cancelling_at"), cancelledAt: int("cancelled_at"))
        batch.traceParent = row["trace_parent"]
        batch.promotedAt = int("promoted_at")
        batch.promotedPriority = int("promoted_priority")
        return batch
    }

    /// A new batch in `validating`, expiring one completion window (24 h) from now.
    func insertBatch(
        id: String, tenant: String, endpoint: String, inputFileID: String, completionWindow: String, metadata: String?,
        webhook: JobWebhook? = nil
    ) async throws -> StoredBatch {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO batches (
                    id, tenant, endpoint, input_file_id, completion_window, status, metadata, expires_at, trace_parent,
                    webhook_url, webhook_events)
                VALUES ($1, $2, $3, $4, $5, 'validating', $6, now() + interval '24 hours', $7, $8, $9)
                RETURNING \(Self.batchColumns)
                """,
                [
                    id, tenant, endpoint, inputFileID, completionWindow, metadata, JobTrace.current, webhook?.url,
                    webhook?.events?.joined(separator: ","),
                ])
        }
        guard let row = rows.first, let batch = Self.batch(row) else {
            throw GatewayError(.internalServerError, .internalError, "batch \(id) was not recorded")
        }
        return batch
    }

    func batch(id: String) async throws -> StoredBatch? {
        let rows = try await pool.withConnection { connection in
            try await connection.query("SELECT \(Self.batchColumns) FROM batches WHERE id = $1", [id])
        }
        return rows.first.flatMap(Self.batch)
    }

    /// A tenant's batches, newest first, after the cursor `after` (a batch id).
    func batches(tenant: String, after: String?, limit: Int) async throws -> [StoredBatch] {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT \(Self.batchColumns) FROM batches
                WHERE tenant = $1 AND ($2::text IS NULL OR (batches.created_at, batches.id) <
                       (SELECT b.created_at, b.id FROM batches b WHERE b.id = $2))
                ORDER BY batches.created_at DESC, batches.id DESC LIMIT $3
                """, [tenant, after, String(limit)])
        }
        return rows.compactMap(Self.batch)
    }

    /// Moves a batch that has not ended to `cancelling`; nil when its status allows no cancel
    /// (the caller reads the batch to say why). Cancelling twice is not an error.
    func requestCancel(id: String) async throws -> StoredBatch? {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                UPDATE batches SET status = 'cancelling', cancelling_at = COALESCE(cancelling_at, now())
                WHERE id = $1 AND status IN ('validating', 'in_progress', 'cancelling')
                RETURNING \(Self.batchColumns)
                """, [id])
        }
        return rows.first.flatMap(Self.batch)
    }
}
