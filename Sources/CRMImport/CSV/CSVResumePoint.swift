/// Where an interrupted import picks up: the job stores it with its progress, seeks the file to
/// `byteOffset` and starts a `CSVParser` there.
public struct CSVResumePoint: Sendable, Codable, Equatable, Hashable {
    /// The raw file offset just after a record (its `endOffset`).
    public var byteOffset: Int64
    /// The number of that record; the next one parsed is `recordNumber + 1` (0 to resume
    /// right after the header).
    public var recordNumber: Int
    /// The header as the first parse read it (`CSVParser.header`).
    public var header: [String]
    /// The 1-based physical line at `byteOffset` (the record's `nextLine`).
    public var line: Int

    public init(byteOffset: Int64, recordNumber: Int, header: [String], line: Int) {
        self.byteOffset = byteOffset
        self.recordNumber = recordNumber
        self.header = header
        self.line = line
    }

    /// The point just after `record`.
    public init(after record: CSVRecord, header: [String]) {
        self.init(byteOffset: record.endOffset, recordNumber: record.number, header: header, line: record.nextLine)
    }
}
