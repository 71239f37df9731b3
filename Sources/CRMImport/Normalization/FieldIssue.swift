/// A problem with one cell (or, with no column, with the row): the raw value is kept so a
/// reviewer sees what the file said.
///
/// JSON: `{"column": 3, "field": "mobile", "code": "phone_invalid_number", "message": "…",
/// "raw": "12345"}` (`column`, `field`, `raw` omitted when nil).
public struct FieldIssue: Codable, Sendable, Equatable {
    /// The source column, from 0; nil for a row-level issue such as `no_identity`.
    public var column: Int?
    public var field: CanonicalField?
    public var code: FieldIssueCode
    public var message: String
    /// The cell as written.
    public var raw: String?

    public init(column: Int?, field: CanonicalField?, code: FieldIssueCode, message: String, raw: String?) {
        self.column = column
        self.field = field
        self.code = code
        self.message = message
        self.raw = raw
    }
}
