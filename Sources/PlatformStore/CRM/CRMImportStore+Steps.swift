import PostgresClient
import VelocityTypes

extension CRMImportStore {
    /// Puts a reviewer's mapping in force as the batch's next manifest version. Allowed while
    /// the batch waits for a mapping, or before anyone decided on its proposals (the proposals
    /// of the old mapping are then dropped). A resolved manifest moves the batch to `proposing`
    /// (the caller queues the step); returns the status the batch is left in.
    public func replaceManifest(
        batchID: String, tenant: String, manifest: CRMImportManifestRecord
    ) async throws -> CRMImportBatch.Status {
        try await postgres.withConnection { connection in
            try await connection.withTransaction { connection in
                let batch = try connection.query(
                    """
                    SELECT b.status, (SELECT coalesce(max(version), 0) FROM crm_import_manifests m
                        WHERE m.batch_id = b.id) AS version,
                        EXISTS (SELECT 1 FROM crm_import_decisions d WHERE d.batch_id = b.id) AS decided
                    FROM crm_import_batches b WHERE b.id = $1::uuid AND b.tenant_id = $2 FOR UPDATE
                    """, [batchID, tenant])
                guard let row = batch.first else {
                    throw PlatformStoreError(.batchNotFound, "import batch \(batchID) not found")
                }
                let status = try row.text("status", table: Self.table)
                guard status == "awaiting_mapping" || (status == "in_review" && row["decided"] == "f") else {
                    throw PlatformStoreError(
                        .batchNotReady,
                        status == "in_review"
                            ? "batch \(batchID) has decisions on its proposals; its mapping can no longer change"
                            : "batch \(batchID) is \(status); its mapping can change while awaiting_mapping or in_review")
                }
                var next = manifest
                next.version = try row.int("version", table: Self.table) + 1
                try Self.insertManifest(next, tenant: tenant, connection: connection)
                let newStatus: CRMImportBatch.Status = manifest.resolved ? .proposing : .awaitingMapping
                try connection.query("DELETE FROM crm_import_proposals WHERE batch_id = $1::uuid", [batchID])
                try connection.query(
                    """
                    UPDATE crm_import_rows SET normalize_issues = NULL
                    WHERE batch_id = $1::uuid AND normalize_issues IS NOT NULL
                    """, [batchID])
                try connection.query(
                    """
                    UPDATE crm_import_batches SET manifest_id = $2::uuid, status = $3, source_system = $4,
                        propose_rows = 0, proposals = 0, updated_at = now()
                    WHERE id = $1::uuid
                    """, [batchID, manifest.id, newStatus.rawValue, manifest.sourceProfile])
                return newStatus
            }
        }
    }

    /// Ends the ingest step: on to `proposing` when the mapping is resolved, else
    /// `awaiting_mapping`. Returns the new status (or the one the batch is in, if it moved on).
    public func finishIngest(batchID: String) async throws -> CRMImportBatch.Status {
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                UPDATE crm_import_batches b SET updated_at = now(), status = CASE WHEN (
                    SELECT resolved FROM crm_import_manifests m WHERE m.id = b.manifest_id)
                    THEN 'proposing' ELSE 'awaiting_mapping' END
                WHERE id = $1::uuid AND status = 'ingesting'
                RETURNING status
                """, [batchID])
        }
        if let status = rows.first?["status"].flatMap(CRMImportBatch.Status.init(rawValue:)) { return status }
        return try await batch(id: batchID)?.status ?? .failed
    }

    /// Moves a batch whose approved proposals are to be written to `committing`. Refused
    /// before proposals are ready, while a commit runs, and when nothing is approved.
    public func beginCommit(batchID: String, tenant: String) async throws {
        try await postgres.withConnection { connection in
            try await connection.withTransaction { connection in
                let rows = try connection.query(
                    """
                    SELECT status, EXISTS (SELECT 1 FROM crm_import_proposals p
                        WHERE p.batch_id = b.id AND p.status = 'approved') AS approved
                    FROM crm_import_batches b WHERE id = $1::uuid AND tenant_id = $2 FOR UPDATE
                    """, [batchID, tenant])
                guard let row = rows.first else {
                    throw PlatformStoreError(.batchNotFound, "import batch \(batchID) not found")
                }
                let status = try row.text("status", table: Self.table)
                guard status == "in_review" || status == "committed" else {
                    throw PlatformStoreError(
                        .batchNotReady, "batch \(batchID) is \(status); it can be committed once it is in_review")
                }
                guard row["approved"] == "t" else {
                    throw PlatformStoreError(
                        .batchNotReady, "batch \(batchID) has no approved proposals: review it before committing")
                }
                try connection.query(
                    "UPDATE crm_import_batches SET status = 'committing', updated_at = now() WHERE id = $1::uuid",
                    [batchID])
            }
        }
    }
}

extension CRMImportStore {
    /// Refreshes the planner's statistics of the proposals table. A batch adds hundreds of
    /// thousands of proposals and a bulk review flips their status in one statement, faster
    /// than autovacuum notices; without this the commit's lookups are planned for the table as
    /// it was before the batch (a by-person lookup walked every committed lead of the batch).
    /// Only the columns that statements filter and join by: sampling the JSON columns cost
    /// most of a whole-table ANALYZE and no plan uses their statistics.
    public func analyzeProposals() async throws {
        _ = try await postgres.withConnection { connection in
            try await connection.query(
                """
                ANALYZE crm_import_proposals (id, batch_id, seq, entity_type, status, person_ref, account_ref,
                    merge_target, best_candidate, confidence, review_required)
                """)
        }
    }
}
