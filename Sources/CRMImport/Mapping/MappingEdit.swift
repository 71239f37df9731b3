/// A reviewer's change to one column's mapping.
///
/// JSON: `{"column": 3, "field": "mobile", "unit": null}` or `{"column": "Mobile No.", "field":
/// null}`; a null `field` ignores the column.
public struct MappingEdit: Codable, Sendable, Equatable {
    /// The column an edit names: by position, or by header (exact, else normalized).
    public enum Column: Codable, Sendable, Hashable {
        case index(Int)
        case header(String)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let index = try? container.decode(Int.self) {
                self = .index(index)
            } else {
                self = .header(try container.decode(String.self))
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .index(let index): try container.encode(index)
            case .header(let header): try container.encode(header)
            }
        }
    }

    public var column: Column
    /// The field to fill; nil ignores the column.
    public var field: CanonicalField?
    /// The unit of bare numbers, for a budget field; nil keeps the unit the header names.
    public var unit: BudgetUnit?

    public init(column: Column, field: CanonicalField?, unit: BudgetUnit? = nil) {
        self.column = column
        self.field = field
        self.unit = unit
    }

    enum CodingKeys: String, CodingKey {
        case column, field, unit
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        column = try container.decode(Column.self, forKey: .column)
        field = try container.decodeIfPresent(CanonicalField.self, forKey: .field)
        unit = try container.decodeIfPresent(BudgetUnit.self, forKey: .unit)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(column, forKey: .column)
        try container.encode(field, forKey: .field)
        try container.encode(unit, forKey: .unit)
    }
}
