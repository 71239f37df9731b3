import CRMImport

extension FuzzTarget {
    static func csv(_ bytes: [UInt8]) {
        let limits = CSVLimits(maxRows: 10_000, maxCellBytes: 64, maxColumns: 16)
        var scanner = CSVShapeScanner(limits: limits)
        let shape: CSVShape
        do {
            for chunk in chunks(bytes, seed: bytes.first ?? 0) { try scanner.feed(chunk) }
            shape = try scanner.finish()
        } catch {
            return
        }
        let whole = parse(bytes, dialect: shape.dialect, limits: limits, chunkSize: nil)
        check(whole.records.count == shape.dataRowCount, "\(whole.records.count) records, the scan counted \(shape.dataRowCount)")
        for (index, record) in whole.records.enumerated() {
            check(record.number == index + 1, "record \(index + 1) numbered \(record.number)")
            check(record.fields.count <= 16, "\(record.fields.count) cells kept past maxColumns")
            let longest = record.fields.map(\.utf8.count).max() ?? 0
            // 64 bytes kept; each that does not decode reads as U+FFFD, three bytes in UTF-8.
            check(longest <= 3 * 64, "a cell of \(longest) bytes kept past maxCellBytes 64: \(record.fields)")
            check(record.endOffset <= Int64(bytes.count), "a record ends at \(record.endOffset) of \(bytes.count)")
        }
        let split = parse(bytes, dialect: shape.dialect, limits: limits, chunkSize: Int(bytes.last ?? 0) % 7 + 1)
        check(split.records == whole.records, "chunking changed the records")
        // Resuming after any record reads exactly the rest.
        if let parser = whole.parser, whole.records.count > 1 {
            let middle = whole.records[whole.records.count / 2]
            let point = parser.resumePoint(after: middle)
            let rest = parse(
                Array(bytes[Int(point.byteOffset)...]), dialect: shape.dialect, limits: limits, chunkSize: 5, resumeAt: point)
            check(rest.records == Array(whole.records[(whole.records.count / 2 + 1)...]), "resuming changed the records")
        }
    }

    private static func parse(
        _ bytes: [UInt8], dialect: CSVDialect, limits: CSVLimits, chunkSize: Int?, resumeAt: CSVResumePoint? = nil
    ) -> (records: [CSVRecord], parser: CSVParser?) {
        var parser = CSVParser(dialect: dialect, limits: limits, resumeAt: resumeAt)
        var records: [CSVRecord] = []
        if let chunkSize {
            var start = 0
            while start < bytes.count {
                parser.feed(bytes[start..<min(bytes.count, start + chunkSize)]) { records.append($0) }
                start += chunkSize
            }
        } else {
            parser.feed(bytes) { records.append($0) }
        }
        parser.finish { records.append($0) }
        return (records, parser)
    }
}
