/// What the upload scan learned of a CSV file: enough to show the mapping screen and to size
/// the import job before any row is parsed.
public struct CSVShape: Sendable, Codable, Equatable, Hashable {
    public var dialect: CSVDialect
    /// The column names: trimmed, an empty one named `column_N` (N from 1); never duplicated.
    public var header: [String]
    /// Records after the header (blank lines and a trailing line break are no records).
    public var dataRowCount: Int
    /// Bytes of the raw file.
    public var byteCount: Int64
    /// Byte sequences the detected encoding cannot decode (they read as U+FFFD).
    public var undecodableCount: Int

    public init(dialect: CSVDialect, header: [String], dataRowCount: Int, byteCount: Int64, undecodableCount: Int) {
        self.dialect = dialect
        self.header = header
        self.dataRowCount = dataRowCount
        self.byteCount = byteCount
        self.undecodableCount = undecodableCount
    }
}
