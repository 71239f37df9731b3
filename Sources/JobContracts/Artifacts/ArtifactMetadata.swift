public import VelocityTypes

/// The metadata the platform puts on every artifact (CRM-CONTRACTS: "Metadata on every
/// artifact"): what it is, which version of its schema, who made it from what, and how sure.
public struct ArtifactMetadata: Codable, Sendable, Equatable {
    public var artifact_id: String
    /// `QdSignalBundle`, `NormalizedEntityProposal`…
    public var artifact_type: String
    /// Bumped on a breaking change; readers map old versions explicitly.
    public var schema_version: String
    /// The producer: `velocity.qd.score`, `velocity.crm.import`…
    public var source_system: String
    /// RFC 3339, UTC.
    public var created_at: String
    /// The worker or person that made it.
    public var created_by: String
    /// 0…1; nil for an artifact that is a record, not an inference.
    public var confidence: Double?
    /// Where it came from: the job, the prompt version, the model, the source rows.
    public var provenance: [String: JSONValue]

    public init(
        artifact_id: String, artifact_type: String, schema_version: String, source_system: String, created_at: String,
        created_by: String, confidence: Double?, provenance: [String: JSONValue]
    ) {
        self.artifact_id = artifact_id
        self.artifact_type = artifact_type
        self.schema_version = schema_version
        self.source_system = source_system
        self.created_at = created_at
        self.created_by = created_by
        self.confidence = confidence
        self.provenance = provenance
    }
}
