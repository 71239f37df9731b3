import Foundation
public import PostgresClient
public import VelocityTypes

/// The import's tables (`crm_import_*`, `crm_graph_deltas`) and the canonical tables a commit
/// writes. The gateway creates batches and records reviews; the `crm.import` worker stores rows
/// and proposals and commits. Every read and write names the tenant or the batch it is for, and
/// each step's checkpoint is written in the same transaction as the work it covers.
public struct CRMImportStore: Sendable {
    public let postgres: PostgresPool

    public init(postgres: PostgresPool) {
        self.postgres = postgres
    }

    static let table = "crm_import_batches"

    /// Stores a new batch with its first manifest. The same content uploaded again by the
    /// tenant (or a request repeating an `Idempotency-Key`) returns the batch that exists, with
    /// `created` false, and stores nothing.
    public func create(
        _ batch: CRMImportBatch, manifest: CRMImportManifestRecord, idempotencyKey: String?
    ) async throws -> (batch: CRMImportBatch, created: Bool) {
        let created = try await postgres.withConnection { connection in
            try await connection.withTransaction { connection in
                let inserted = try connection.query(
                    """
                    INSERT INTO crm_import_batches (id, tenant_id, sha256, source_system, uploaded_filename, mime_type,
                        storage_ref, byte_count, row_count, encoding, delimiter, header, default_region, auto_approve,
                        status, manifest_id, idempotency_key, uploaded_by, webhook_url, webhook_events)
                    VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8::bigint, $9::int, $10, $11, $12::jsonb, $13, $14, $15,
                        $16::uuid, $17, $18, $19, $20)
                    ON CONFLICT DO NOTHING
                    """,
                    [
                        batch.id, batch.tenant, batch.sha256, batch.sourceSystem, batch.filename, batch.mimeType,
                        batch.storageRef, String(batch.byteCount), String(batch.rowCount), batch.encoding, batch.delimiter,
                        JSONValue.array(batch.header.map(JSONValue.string)).jsonText, batch.defaultRegion,
                        batch.autoApprove, batch.status.rawValue, manifest.id, idempotencyKey, batch.uploadedBy,
                        batch.webhookURL, batch.webhookEvents?.joined(separator: ","),
                    ])
                guard inserted.affectedRows == 1 else { return false }
                try Self.insertManifest(manifest, tenant: batch.tenant, connection: connection)
                return true
            }
        }
        if created, let stored = try await self.batch(id: batch.id) { return (stored, true) }
        // Another batch holds the content or the key; a statement of its own sees one that
        // committed while the insert ran.
        guard let existing = try await existing(tenant: batch.tenant, sha256: batch.sha256, idempotencyKey: idempotencyKey)
        else {
            throw PostgresError(.queryFailed, "crm_import_batches: batch \(batch.id) was neither created nor found")
        }
        return (existing, false)
    }

    /// The tenant's batch of this content, or the one created under this `Idempotency-Key`
    /// (the first, should they be two batches); nil when there is neither.
    public func existing(tenant: String, sha256: String, idempotencyKey: String?) async throws -> CRMImportBatch? {
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT \(Self.columns) FROM crm_import_batches
                WHERE tenant_id = $1 AND (sha256 = $2 OR ($3::text IS NOT NULL AND idempotency_key = $3))
                ORDER BY created_at LIMIT 1
                """, [tenant, sha256, idempotencyKey])
        }
        return try rows.first.map(Self.batch)
    }

    /// The batch, whoever owns it (the worker's read); nil for an unknown id.
    public func batch(id: String) async throws -> CRMImportBatch? {
        guard Self.isUUID(id) else { return nil }
        let rows = try await postgres.withConnection { connection in
            try await connection.query("SELECT \(Self.columns) FROM crm_import_batches WHERE id = $1::uuid", [id])
        }
        return try rows.first.map(Self.batch)
    }

    /// The tenant's batch; nil for an unknown id or another tenant's batch.
    public func batch(id: String, tenant: String) async throws -> CRMImportBatch? {
        guard let batch = try await batch(id: id), batch.tenant == tenant else { return nil }
        return batch
    }

    /// The tenant's batches, newest first; `before` is the last id of the previous page.
    public func list(tenant: String, before: String?, limit: Int) async throws -> [CRMImportBatch] {
        if let before, !Self.isUUID(before) { return [] }
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT \(Self.columns) FROM crm_import_batches b
                WHERE tenant_id = $1 AND ($2::uuid IS NULL OR (created_at, id) < (
                    SELECT created_at, id FROM crm_import_batches WHERE id = $2::uuid AND tenant_id = $1))
                ORDER BY created_at DESC, id DESC LIMIT $3::int
                """, [tenant, before, String(limit)])
        }
        return try rows.map(Self.batch)
    }

    /// Moves the batch to `status` if it is in one of `from` (nil: any that is not final);
    /// false when it was not, so two steps racing cannot both move it.
    @discardableResult
    public func setStatus(
        _ id: String, to status: CRMImportBatch.Status, from: [CRMImportBatch.Status]? = nil, error: JSONValue? = nil
    ) async throws -> Bool {
        let allowed = from ?? CRMImportBatch.Status.allCases.filter { $0 != .committed && $0 != .failed }
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                UPDATE crm_import_batches SET status = $2, error = $3::jsonb, updated_at = now()
                WHERE id = $1::uuid AND status = ANY($4::text[])
                """, [id, status.rawValue, error?.jsonText, PostgresArrayLiteral.text(allowed.map(\.rawValue))])
        }
        return rows.affectedRows == 1
    }

    /// The manifest in force for the batch.
    public func manifest(batchID: String) async throws -> CRMImportManifestRecord? {
        guard Self.isUUID(batchID) else { return nil }
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT m.id::text, m.batch_id::text, m.version, m.source_profile, m.manifest::text, m.resolved,
                    m.created_by, (extract(epoch FROM m.created_at) * 1000)::bigint AS created_ms
                FROM crm_import_manifests m JOIN crm_import_batches b ON b.manifest_id = m.id
                WHERE b.id = $1::uuid
                """, [batchID])
        }
        return try rows.first.map { row in
            let table = "crm_import_manifests"
            return CRMImportManifestRecord(
                id: try row.text("id", table: table), batchID: try row.text("batch_id", table: table),
                version: try row.int("version", table: table),
                sourceProfile: try row.text("source_profile", table: table),
                manifest: try row.json("manifest", table: table), resolved: try row.bool("resolved", table: table),
                createdBy: try row.text("created_by", table: table),
                createdMilliseconds: try row.int("created_ms", table: table))
        }
    }

    static func insertManifest(
        _ manifest: CRMImportManifestRecord, tenant: String, connection: isolated PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO crm_import_manifests (id, batch_id, tenant_id, version, source_profile, manifest, resolved,
                created_by)
            VALUES ($1::uuid, $2::uuid, $3, $4::int, $5, $6::jsonb, $7::boolean, $8)
            """,
            [
                manifest.id, manifest.batchID, tenant, String(manifest.version), manifest.sourceProfile,
                manifest.manifest.jsonText, manifest.resolved ? "true" : "false", manifest.createdBy,
            ])
    }

    static func isUUID(_ text: String) -> Bool {
        // Postgres would refuse anything else with an error; an unknown id is a 404, not a 500.
        UUID(uuidString: text) != nil
    }
}
