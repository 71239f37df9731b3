import VelocityTypes

/// The refusals of an upload, with messages a person who exported the file can act on.
extension DomainError where Domain == CSVErrorDomain {
    static func emptyFile(hasBytes: Bool) -> CSVError {
        CSVError(.emptyFile, hasBytes ? "the file has no rows: it holds only blank lines or whitespace" : "the file is empty")
    }

    static func headerOnly(_ header: [String]) -> CSVError {
        let columns = header.count == 1 ? "1 column" : "\(header.count) columns"
        return CSVError(.headerOnly, "the file has a header (\(columns)) but no data rows")
    }

    static func duplicateHeaders(_ duplicates: [(name: String, columns: [Int])]) -> CSVError {
        let described = duplicates.map { duplicate in
            let times = duplicate.columns.count == 2 ? "twice" : "\(duplicate.columns.count) times"
            let columns = CSVText.list(duplicate.columns.map { String($0 + 1) })
            return "\"\(duplicate.name)\" \(times) (columns \(columns))"
        }
        let message = duplicates.count == 1
            ? "the header names \(described[0]); rename or remove the duplicate column"
            : "the header repeats column names: \(described.joined(separator: ", ")); rename or remove the duplicate columns"
        return CSVError(.duplicateHeaders, message)
    }

    static func tooManyRows(limit: Int) -> CSVError {
        CSVError(.tooManyRows, "the file has more than \(CSVText.grouped(limit)) data rows, the most one import accepts; split it into smaller files")
    }

    static func tooManyColumns(_ count: Int, limit: Int) -> CSVError {
        CSVError(.tooManyColumns, "the header has \(CSVText.grouped(count)) columns, more than the \(CSVText.grouped(limit)) an import accepts")
    }

    static func headerTooLong(limit: Int) -> CSVError {
        CSVError(.headerTooLong, "the first row (the header) is longer than \(CSVText.grouped(limit)) bytes; check for a quote that is never closed")
    }

    static func notCSV(_ what: String) -> CSVError {
        CSVError(.notCSV, what)
    }

    static let containsNUL = notCSV(
        "the file contains NUL bytes, so it is binary data rather than CSV text (a UTF-16 export without a byte-order mark also looks like this: save it as \"CSV UTF-8\")"
    )

    /// What a known binary signature at the start of a file says it is, if it has one.
    static func binarySignature(_ head: [UInt8]) -> CSVError? {
        let signatures: [(bytes: [UInt8], what: String)] = [
            ([0x89, 0x50, 0x4E, 0x47], "the file is a PNG image, not a CSV file"),
            ([0x50, 0x4B, 0x03, 0x04], "the file is a ZIP archive (an Excel .xlsx workbook is one), not a CSV file; open it and save the sheet as CSV"),
            ([0x25, 0x50, 0x44, 0x46], "the file is a PDF document, not a CSV file"),
            ([0x1F, 0x8B], "the file is gzip-compressed; decompress it and upload the CSV file inside"),
            ([0xD0, 0xCF, 0x11, 0xE0], "the file is an old Excel workbook (.xls), not a CSV file; open it and save the sheet as CSV"),
            ([0xFF, 0xD8, 0xFF], "the file is a JPEG image, not a CSV file"),
        ]
        return signatures.first { head.starts(with: $0.bytes) }.map { notCSV($0.what) }
    }
}
