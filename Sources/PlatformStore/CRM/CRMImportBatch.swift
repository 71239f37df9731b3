public import VelocityTypes

/// A CRM import batch as `crm_import_batches` holds it: the `RawImportBatch` artifact (the
/// upload, immutable and content-addressed) with the progress of its steps.
public struct CRMImportBatch: Sendable, Equatable {
    /// Where a batch is: the steps run in this order; `failed` ends it with `error`.
    public enum Status: String, Sendable, Codable, CaseIterable {
        case ingesting
        case awaitingMapping = "awaiting_mapping"
        case proposing
        case inReview = "in_review"
        case committing
        case committed
        case failed
    }

    public var id: String
    public var tenant: String
    /// Hex SHA-256 of the upload; one batch per tenant and content.
    public var sha256: String
    /// The source profile (`hubspot`, `salesforce`, `zoho`, `generic`).
    public var sourceSystem: String
    public var filename: String
    public var mimeType: String
    /// The blob store key of the upload.
    public var storageRef: String
    public var byteCount: Int64
    /// Data rows (the header excluded), counted when the upload streamed in.
    public var rowCount: Int
    public var encoding: String
    public var delimiter: String
    public var header: [String]
    /// ISO 3166 region of numbers written without a country code (`IN`).
    public var defaultRegion: String
    /// The low-risk rule proposals are approved by without review (`none`: every one is reviewed).
    public var autoApprove: String
    public var status: Status
    /// `{"code", "message"}` of a failed batch.
    public var error: JSONValue?
    /// The mapping manifest in force.
    public var manifestID: String?
    /// Checkpoint of the ingest step: the upload's bytes parsed into stored rows.
    public var ingestOffset: Int64
    /// The physical line the next row starts on (rows may span lines).
    public var ingestLine: Int
    public var rowsRead: Int
    public var rowsWithErrors: Int
    /// Checkpoint of the propose step: source rows whose proposals are stored.
    public var proposeRows: Int
    public var proposals: Int
    public var committed: Int
    public var uploadedBy: String
    /// Where its steps are pushed as signed webhooks (set at upload; not read back).
    public var webhookURL: String? = nil
    /// Which: `crm_import.awaiting_mapping`, `…in_review`, `…committed`, `…failed`; nil for all.
    public var webhookEvents: [String]? = nil
    public var createdMilliseconds: Int
    public var updatedMilliseconds: Int

    public init(
        id: String, tenant: String, sha256: String, sourceSystem: String, filename: String, mimeType: String,
        storageRef: String, byteCount: Int64, rowCount: Int, encoding: String, delimiter: String, header: [String],
        defaultRegion: String, autoApprove: String, uploadedBy: String
    ) {
        self.id = id
        self.tenant = tenant
        self.sha256 = sha256
        self.sourceSystem = sourceSystem
        self.filename = filename
        self.mimeType = mimeType
        self.storageRef = storageRef
        self.byteCount = byteCount
        self.rowCount = rowCount
        self.encoding = encoding
        self.delimiter = delimiter
        self.header = header
        self.defaultRegion = defaultRegion
        self.autoApprove = autoApprove
        self.status = .ingesting
        self.error = nil
        self.manifestID = nil
        self.ingestOffset = 0
        self.ingestLine = 1
        self.rowsRead = 0
        self.rowsWithErrors = 0
        self.proposeRows = 0
        self.proposals = 0
        self.committed = 0
        self.uploadedBy = uploadedBy
        self.createdMilliseconds = 0
        self.updatedMilliseconds = 0
    }
}

/// One version of a batch's `ImportMappingManifest`, as stored.
public struct CRMImportManifestRecord: Sendable, Equatable {
    public var id: String
    public var batchID: String
    public var version: Int
    public var sourceProfile: String
    /// The manifest's JSON (`column_mappings`, `unmapped_columns`, `resolver_notes`…).
    public var manifest: JSONValue
    public var resolved: Bool
    public var createdBy: String
    public var createdMilliseconds: Int

    public init(
        id: String, batchID: String, version: Int, sourceProfile: String, manifest: JSONValue, resolved: Bool,
        createdBy: String, createdMilliseconds: Int = 0
    ) {
        self.id = id
        self.batchID = batchID
        self.version = version
        self.sourceProfile = sourceProfile
        self.manifest = manifest
        self.resolved = resolved
        self.createdBy = createdBy
        self.createdMilliseconds = createdMilliseconds
    }
}
