import PostgresClient
import VelocityTypes

extension CRMImportStore {
    /// The columns of a batch, as `batch(_:)` decodes them.
    static let columns = """
        id::text, tenant_id, sha256, source_system, uploaded_filename, mime_type, storage_ref, byte_count, row_count,
        encoding, delimiter, header::text, default_region, auto_approve, status, error::text, manifest_id::text,
        ingest_offset, ingest_line, rows_read, rows_with_errors, propose_rows, proposals, committed, uploaded_by,
        (extract(epoch FROM created_at) * 1000)::bigint AS created_ms,
        (extract(epoch FROM updated_at) * 1000)::bigint AS updated_ms
        """

    /// Decodes a `columns` row; a row of another shape throws naming the column.
    static func batch(_ row: PostgresRow) throws -> CRMImportBatch {
        let t = table
        guard case .array(let headerValues) = try row.json("header", table: t) else {
            throw PostgresError(.malformedRow, "\(t).header is not a JSON array")
        }
        let statusText = try row.text("status", table: t)
        guard let status = CRMImportBatch.Status(rawValue: statusText) else {
            throw PostgresError(.malformedRow, "\(t).status is '\(statusText)', not a batch status")
        }
        var batch = CRMImportBatch(
            id: try row.text("id", table: t), tenant: try row.text("tenant_id", table: t),
            sha256: try row.text("sha256", table: t), sourceSystem: try row.text("source_system", table: t),
            filename: try row.text("uploaded_filename", table: t), mimeType: try row.text("mime_type", table: t),
            storageRef: try row.text("storage_ref", table: t), byteCount: Int64(try row.int("byte_count", table: t)),
            rowCount: try row.int("row_count", table: t), encoding: try row.text("encoding", table: t),
            delimiter: try row.text("delimiter", table: t), header: headerValues.map { $0.stringValue ?? "" },
            defaultRegion: try row.text("default_region", table: t), autoApprove: try row.text("auto_approve", table: t),
            uploadedBy: try row.text("uploaded_by", table: t))
        batch.status = status
        batch.error = try row.optionalJSON("error", table: t)
        batch.manifestID = row["manifest_id"]
        batch.ingestOffset = Int64(try row.int("ingest_offset", table: t))
        batch.ingestLine = try row.int("ingest_line", table: t)
        batch.rowsRead = try row.int("rows_read", table: t)
        batch.rowsWithErrors = try row.int("rows_with_errors", table: t)
        batch.proposeRows = try row.int("propose_rows", table: t)
        batch.proposals = try row.int("proposals", table: t)
        batch.committed = try row.int("committed", table: t)
        batch.createdMilliseconds = try row.int("created_ms", table: t)
        batch.updatedMilliseconds = try row.int("updated_ms", table: t)
        return batch
    }
}
