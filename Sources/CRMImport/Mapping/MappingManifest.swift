/// How a file's columns map to canonical fields (the payload of the platform's
/// ImportMappingManifest artifact; `manifest_id`, `batch_id` and the artifact metadata are the
/// job's to add around it).
///
/// JSON: `{"source_profile": "hubspot", "columns": [ColumnMapping…], "unmapped_columns": ["…"],
/// "resolver_notes": ["…"], "is_resolved": true}`; `is_resolved` is written for readers and
/// recomputed when read.
public struct MappingManifest: Codable, Sendable, Equatable {
    /// The profile whose header table was used (given, or detected from the headers).
    public let sourceProfile: SourceProfile
    /// One mapping per source column, in column order.
    public private(set) var columns: [ColumnMapping]
    /// Headers of the unresolved columns, in column order.
    public private(set) var unmappedColumns: [String]
    /// What the resolver decided and why: the detected profile, conflicts, guesses, edits.
    public var resolverNotes: [String]

    /// Whether every column is mapped or ignored, so the batch can go on without a reviewer.
    public var isResolved: Bool { unmappedColumns.isEmpty }

    public init(sourceProfile: SourceProfile, columns: [ColumnMapping], resolverNotes: [String] = []) {
        self.sourceProfile = sourceProfile
        self.columns = columns
        self.unmappedColumns = Self.unresolvedHeaders(columns)
        self.resolverNotes = resolverNotes
    }

    /// The mapped columns that fill `field`, in column order.
    public func columns(for field: CanonicalField) -> [ColumnMapping] {
        columns.filter { $0.disposition == .mapped && $0.field == field }
    }

    mutating func replaceColumns(_ newColumns: [ColumnMapping]) {
        columns = newColumns
        unmappedColumns = Self.unresolvedHeaders(newColumns)
    }

    private static func unresolvedHeaders(_ columns: [ColumnMapping]) -> [String] {
        columns.filter { $0.disposition == .unresolved }.map(\.header)
    }

    enum CodingKeys: String, CodingKey {
        case sourceProfile = "source_profile"
        case columns
        case unmappedColumns = "unmapped_columns"
        case resolverNotes = "resolver_notes"
        case isResolved = "is_resolved"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            sourceProfile: try container.decode(SourceProfile.self, forKey: .sourceProfile),
            columns: try container.decode([ColumnMapping].self, forKey: .columns),
            resolverNotes: try container.decodeIfPresent([String].self, forKey: .resolverNotes) ?? [])
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(sourceProfile, forKey: .sourceProfile)
        try container.encode(columns, forKey: .columns)
        try container.encode(unmappedColumns, forKey: .unmappedColumns)
        try container.encode(resolverNotes, forKey: .resolverNotes)
        try container.encode(isResolved, forKey: .isResolved)
    }
}
