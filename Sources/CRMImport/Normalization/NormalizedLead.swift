/// A row's sales-funnel state, for `crm_leads` (notes go to `intel_interactions`).
///
/// JSON keys: `source`, `status`, `owner`, `created_at`, `notes`, `external_id`.
public struct NormalizedLead: Codable, Sendable, Equatable {
    public var source: String?
    public var status: String?
    /// The owner as the file names them (a person's name or the source system's user id).
    public var owner: String?
    /// ISO 8601: "yyyy-MM-dd", or a UTC date-time.
    public var createdAt: String?
    /// Every notes column's text, joined by line breaks.
    public var notes: String?
    /// The source system's record id.
    public var externalId: String?

    public init(
        source: String? = nil, status: String? = nil, owner: String? = nil, createdAt: String? = nil,
        notes: String? = nil, externalId: String? = nil
    ) {
        self.source = source
        self.status = status
        self.owner = owner
        self.createdAt = createdAt
        self.notes = notes
        self.externalId = externalId
    }

    enum CodingKeys: String, CodingKey {
        case source, status, owner
        case createdAt = "created_at"
        case notes
        case externalId = "external_id"
    }
}
