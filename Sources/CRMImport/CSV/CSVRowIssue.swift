/// A problem with one row that does not stop the import: the row is kept as read, and the
/// issue goes to the error report beside it.
public struct CSVRowIssue: Sendable, Codable, Equatable, Hashable {
    /// A stable code from `CSVRowIssue.Code`.
    public var code: String
    /// What happened, for a person (columns counted from 1, named from the header).
    public var message: String
    /// The index of the cell concerned in `CSVRecord.fields`, when one is.
    public var column: Int?

    public init(code: String, message: String, column: Int? = nil) {
        self.code = code
        self.message = message
        self.column = column
    }

    /// The codes of row issues.
    public enum Code {
        /// The row has fewer or more cells than the header has columns.
        public static let raggedRow = "ragged_row"
        /// A quoted cell is still open at the end of the file.
        public static let unterminatedQuote = "unterminated_quote"
        /// A quote inside an unquoted cell (kept as data).
        public static let strayQuote = "stray_quote"
        /// Text after a cell's closing quote, as in `"abc"x` (kept as data: `abcx`).
        public static let textAfterQuote = "text_after_quote"
        /// A cell longer than `CSVLimits.maxCellBytes`; only its start was kept.
        public static let cellTooLong = "cell_too_long"
        /// More cells than `CSVLimits.maxColumns`; the ones past the limit were dropped.
        public static let tooManyFields = "too_many_fields"
        /// Bytes the file's encoding cannot decode; they read as U+FFFD.
        public static let undecodableBytes = "undecodable_bytes"
    }
}
