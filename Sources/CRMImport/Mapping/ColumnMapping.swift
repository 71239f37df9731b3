/// How one source column is used: every column of a file has exactly one.
public struct ColumnMapping: Codable, Sendable, Equatable {
    /// What the import does with the column.
    public enum Disposition: String, Codable, Sendable {
        /// Its cells fill `field`.
        case mapped
        /// Deliberately not imported (a known-useless column, or a reviewer's choice).
        case ignored
        /// Not recognized: the batch waits for a reviewer's mapping edit.
        case unresolved
    }

    /// The column's position in the header, from 0.
    public var index: Int
    /// The header as written in the file.
    public var header: String
    public var disposition: Disposition
    /// The canonical field, for a mapped column only.
    public var field: CanonicalField?
    /// 0…1: 1.0 for a profile's own header or a reviewer's edit, about 0.9 for a known synonym,
    /// lower for a keyword match, 0 for an unresolved column.
    public var confidence: Double
    /// The unit of bare numbers, for a budget column whose header or reviewer gave one.
    public var unit: BudgetUnit?
    /// Why: which rule matched, why a column is ignored or left unresolved.
    public var note: String?

    public init(
        index: Int, header: String, disposition: Disposition, field: CanonicalField? = nil, confidence: Double,
        unit: BudgetUnit? = nil, note: String? = nil
    ) {
        self.index = index
        self.header = header
        self.disposition = disposition
        self.field = field
        self.confidence = confidence
        self.unit = unit
        self.note = note
    }
}
