import Foundation
import JobContracts
import PlatformStore
import VelocityTypes

/// A batch as the import routes show it: the `RawImportBatch` artifact with its metadata, the
/// progress of its steps, counts by proposal status, and where to go next.
struct CRMImportBatchView: Encodable {
    struct Progress: Encodable {
        var rows_read: Int
        var row_count: Int
        /// Rows read over rows, through ingest; rows proposed over rows, through propose.
        var fraction: Double
        var proposed_rows: Int
    }

    struct URLs: Encodable {
        var `self`: String
        var review: String
        var commit: String
        var errors: String
    }

    struct JobLink: Encodable {
        var id: String
        var url: String
    }

    var object = "crm.import_batch"
    var id: String
    var status: String
    var artifact: ArtifactMetadata
    var source_system: String
    var uploaded_filename: String
    var mime_type: String
    var storage_ref: String
    var sha256: String
    var byte_count: Int64
    var row_count: Int
    var encoding: String
    var delimiter: String
    var header: [String]
    var default_region: String
    var auto_approve: String
    var uploaded_by: String
    var created_at: String
    var updated_at: String
    var progress: Progress
    var rows_read: Int
    var rows_with_errors: Int
    var proposals: Int
    var proposal_counts: [String: Int]?
    var committed: Int
    var error: JSONValue?
    var manifest: JSONValue?
    var jobs: [JobLink]
    var urls: URLs
    var proposal_page: CRMProposalPage?

    init(
        _ batch: CRMImportBatch, counts: [CRMProposal.Status: Int]? = nil, manifest: JSONValue? = nil,
        jobs: [String] = [], proposals: CRMProposalPage? = nil
    ) {
        let base = "/api/crm/imports/\(batch.id)"
        id = batch.id
        status = batch.status.rawValue
        artifact = ArtifactMetadata(
            artifact_id: batch.id, artifact_type: "RawImportBatch", schema_version: "1",
            source_system: batch.sourceSystem, created_at: Self.timestamp(batch.createdMilliseconds),
            created_by: batch.uploadedBy, confidence: nil,
            provenance: [
                "sha256": .string(batch.sha256), "storage_ref": .string(batch.storageRef),
                "uploaded_filename": .string(batch.filename),
            ])
        source_system = batch.sourceSystem
        uploaded_filename = batch.filename
        mime_type = batch.mimeType
        storage_ref = batch.storageRef
        sha256 = batch.sha256
        byte_count = batch.byteCount
        row_count = batch.rowCount
        encoding = batch.encoding
        delimiter = batch.delimiter
        header = batch.header
        default_region = batch.defaultRegion
        auto_approve = batch.autoApprove
        uploaded_by = batch.uploadedBy
        created_at = Self.timestamp(batch.createdMilliseconds)
        updated_at = Self.timestamp(batch.updatedMilliseconds)
        let total = max(batch.rowCount, 1)
        let fraction: Double
        switch batch.status {
        case .ingesting: fraction = Double(batch.rowsRead) / Double(total)
        case .proposing: fraction = Double(batch.proposeRows) / Double(total)
        default: fraction = 1
        }
        progress = Progress(
            rows_read: batch.rowsRead, row_count: batch.rowCount, fraction: min(1, fraction),
            proposed_rows: batch.proposeRows)
        rows_read = batch.rowsRead
        rows_with_errors = batch.rowsWithErrors
        self.proposals = batch.proposals
        proposal_counts = counts.map { Dictionary(uniqueKeysWithValues: $0.map { ($0.key.rawValue, $0.value) }) }
        committed = batch.committed
        error = batch.error
        self.manifest = manifest
        self.jobs = jobs.map { JobLink(id: $0, url: "/v1/jobs/\($0)") }
        urls = URLs(
            self: base, review: "\(base)/review-proposal", commit: "\(base)/commit", errors: "\(base)/errors")
        proposal_page = proposals
    }

    enum CodingKeys: String, CodingKey {
        case object, id, status, artifact, source_system, uploaded_filename, mime_type, storage_ref, sha256
        case byte_count, row_count, encoding, delimiter, header, default_region, auto_approve, uploaded_by
        case created_at, updated_at, progress, rows_read, rows_with_errors, proposals, proposal_counts, committed
        case error, manifest, jobs, urls
        case proposal_page = "proposals_page"
    }

    static func timestamp(_ milliseconds: Int) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(.iso8601)
    }
}
