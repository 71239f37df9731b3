/// Turning the scanned bytes of a record into a `CSVRecord` with its issues.
extension CSVParser {
    /// An issue flagged on one cell while it was read.
    struct FieldIssue: Sendable {
        var column: Int
        var flags: UInt8
        var length: Int
    }

    mutating func emitRecord(endOffset: Int64, endStream: Int64, _ emit: (CSVRecord) throws -> Void) rethrows {
        let undecodable = transcoder.takeUndecodable(before: endStream)
        let fields = makeFields()
        guard let header else {
            rawHeader = fields
            let names = CSVHeader.normalize(fields)
            header = names
            headerResumePoint = CSVResumePoint(byteOffset: endOffset, recordNumber: 0, header: names, line: line)
            resetRecord()
            return
        }
        lastRecordNumber += 1
        let clean = recordFlags & Self.issueFlags == 0 && droppedFields == 0 && undecodable == 0
            && fields.count == header.count
        let record = CSVRecord(
            number: lastRecordNumber,
            line: recordLine,
            fields: fields,
            endOffset: endOffset,
            nextLine: line,
            errors: clean ? [] : issues(fields: fields, header: header, undecodable: undecodable)
        )
        resetRecord()
        try emit(record)
    }

    func makeFields() -> [String] {
        var fields: [String] = []
        fields.reserveCapacity(fieldEnds.count)
        fieldBytes.withUnsafeBufferPointer { bytes in
            var start = 0
            for end in fieldEnds {
                fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
                start = end
            }
        }
        return fields
    }

    func issues(fields: [String], header: [String], undecodable: Int) -> [CSVRowIssue] {
        var issues: [CSVRowIssue] = []
        for field in fieldIssues {
            let column = CSVText.column(field.column, header: header)
            if field.flags & Self.strayQuoteFlag != 0 {
                issues.append(CSVRowIssue(
                    code: CSVRowIssue.Code.strayQuote,
                    message: "\(column) has a quote inside an unquoted value; it was kept as text",
                    column: field.column
                ))
            }
            if field.flags & Self.textAfterQuoteFlag != 0 {
                issues.append(CSVRowIssue(
                    code: CSVRowIssue.Code.textAfterQuote,
                    message: "\(column) has text after its closing quote; it was kept as part of the value",
                    column: field.column
                ))
            }
            if field.flags & Self.unterminatedFlag != 0 {
                issues.append(CSVRowIssue(
                    code: CSVRowIssue.Code.unterminatedQuote,
                    message: "\(column) opens a quote that is never closed; the rest of the file was read into it",
                    column: field.column
                ))
            }
            if field.flags & Self.cellTooLongFlag != 0 {
                issues.append(CSVRowIssue(
                    code: CSVRowIssue.Code.cellTooLong,
                    message: "\(column) is \(CSVText.grouped(field.length)) bytes long, over the limit of \(CSVText.grouped(maxCellBytes)); only its start was kept",
                    column: field.column
                ))
            }
        }
        let cellCount = fields.count + droppedFields
        if droppedFields > 0 {
            issues.append(CSVRowIssue(
                code: CSVRowIssue.Code.tooManyFields,
                message: "the row has \(CSVText.grouped(cellCount)) values, more than the \(CSVText.grouped(maxColumns)) kept of a row; the rest were dropped"
            ))
        }
        if cellCount != header.count {
            let values = cellCount == 1 ? "1 value" : "\(CSVText.grouped(cellCount)) values"
            let columns = header.count == 1 ? "1 column" : "\(CSVText.grouped(header.count)) columns"
            issues.append(CSVRowIssue(code: CSVRowIssue.Code.raggedRow, message: "the row has \(values) but the header has \(columns)"))
        }
        if undecodable > 0 { issues += undecodableIssues(fields: fields, header: header) }
        return issues
    }

    /// One issue per cell holding U+FFFD (or one for the row, if the undecodable bytes fell in
    /// a part of a cell that was not kept).
    private func undecodableIssues(fields: [String], header: [String]) -> [CSVRowIssue] {
        let message = "is not valid \(dialect.encoding.rawValue) text; the bytes that could not be read show as \u{FFFD}"
        let columns = fields.indices.filter { fields[$0].unicodeScalars.contains("\u{FFFD}") }
        guard !columns.isEmpty else {
            return [CSVRowIssue(code: CSVRowIssue.Code.undecodableBytes, message: "part of the row " + message)]
        }
        return columns.map { index in
            CSVRowIssue(
                code: CSVRowIssue.Code.undecodableBytes,
                message: "\(CSVText.column(index, header: header)) \(message)",
                column: index
            )
        }
    }
}
