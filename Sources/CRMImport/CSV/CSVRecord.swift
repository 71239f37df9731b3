/// One data row of a CSV file as the parser read it.
public struct CSVRecord: Sendable, Codable, Equatable, Hashable {
    /// The row's number: 1 for the first data row after the header (blank lines not counted),
    /// so the last one equals `CSVShape.dataRowCount`.
    public var number: Int
    /// The 1-based physical line the row starts on (line breaks inside quotes count).
    public var line: Int
    /// The cells, exactly as written: quotes removed, doubled quotes undone, nothing trimmed.
    public var fields: [String]
    /// The offset in the raw file just after the row's line break: where a resumed parse starts.
    public var endOffset: Int64
    /// The 1-based physical line just after the row's line break: where a resumed parse counts
    /// lines from.
    public var nextLine: Int
    /// What was wrong with the row; empty for a clean row.
    public var errors: [CSVRowIssue]

    public init(number: Int, line: Int, fields: [String], endOffset: Int64, nextLine: Int, errors: [CSVRowIssue] = []) {
        self.number = number
        self.line = line
        self.fields = fields
        self.endOffset = endOffset
        self.nextLine = nextLine
        self.errors = errors
    }
}
