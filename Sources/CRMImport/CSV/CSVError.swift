public import VelocityTypes

/// The domain of the errors that refuse a CSV upload (`CSVShapeScanner`).
public enum CSVErrorDomain: ErrorDomain {
    public static var prefix: String? { "csv" }
}

/// An upload that cannot be imported: binary, empty, header-only, over a limit, or with a
/// header that cannot name its columns. Row-level problems are `CSVRowIssue`s instead.
public typealias CSVError = DomainError<CSVErrorDomain>

extension VelocityErrorCode {
    /// The file has no bytes, or only a byte-order mark and whitespace.
    public static let emptyFile: Self = "empty_file"
    /// The file has a header but no data row.
    public static let headerOnly: Self = "header_only"
    /// Two header cells name the same column (compared trimmed and case-insensitively).
    public static let duplicateHeaders: Self = "duplicate_headers"
    /// The file has more data rows than the import accepts.
    public static let tooManyRows: Self = "too_many_rows"
    /// The file is binary (an image, an archive, a spreadsheet, a PDF), not CSV text.
    public static let notCSV: Self = "not_csv"
    /// The header has more columns than the import accepts.
    public static let tooManyColumns: Self = "too_many_columns"
    /// The header row is implausibly long (typically an unclosed quote in it).
    public static let headerTooLong: Self = "header_too_long"
}
