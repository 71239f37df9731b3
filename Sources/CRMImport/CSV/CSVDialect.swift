/// How a CSV file is written: its byte encoding and its field delimiter. The shape scanner
/// detects it at upload; the import job parses with it.
public struct CSVDialect: Sendable, Codable, Equatable, Hashable {
    public var encoding: CSVEncoding
    public var delimiter: CSVDelimiter

    public init(encoding: CSVEncoding = .utf8, delimiter: CSVDelimiter = .comma) {
        self.encoding = encoding
        self.delimiter = delimiter
    }
}
