@testable import CRMImport
import Testing
import VelocityTypes

@Suite("CSV parser resume")
struct CSVParserResumeTests {
    /// Every trap at once: blank lines (before the header too), CRLF, LF, lone CR, quoted line
    /// breaks of each kind, doubled quotes, stray quotes, text after a quote, ragged rows, rows
    /// of empty cells, non-ASCII text, an undecodable byte, formulas, and a last record left
    /// open (or not).
    static func nastyFile(unterminated: Bool) -> [CSVFixtures.Segment] {
        [
            .text("\r\n"),
            .text("Name,Email,Notes,Amount\r\n"),
            .text("José,jose@example.com,\"multi\r\nline, with comma\",€5\r\n"),
            .text("\r\n   \n"),
            .text("Ana,ana@x.com,\"she said \"\"hi\"\"\",10\n"),
            .text("Bob,bob@x.com,plain\rCara,cara@x.com,lone CR,3\r"),
            .text("Dan,dan@x.com,\"a\"x,4\n"),
            .text("Eve,eve\"s@x.com,stray,1,extra\r\n"),
            .text("\"\",\"\",\"\",\"\"\n,,,\n"),
            .text("Fay,fay@x.com,\"quoted\n\nblank lines inside\",€\n"),
            .text("Gus,gus@x.com,’curly’ ñ ü "), .undecodable, .text(",=SUM(A1)\r\n"),
            .text("\r\r\n\n"),
            .text("Hal,hal@x.com,\"cr only\rinside\",-5\r"),
            .text(unterminated ? "Ivy,ivy@x.com,\"unterminated,at end\r\nmore" : "Zed,z@x.com,last,9"),
        ]
    }

    static let encodings: [CSVEncoding] = [.utf8, .utf8BOM, .utf16LE, .windows1252]

    @Test("Resuming after any record gives the records of an uninterrupted parse", arguments: encodings, [false, true])
    func resumeEverywhere(_ encoding: CSVEncoding, unterminated: Bool) {
        let bytes = CSVFixtures.encode(Self.nastyFile(unterminated: unterminated), as: encoding)
        let dialect = CSVDialect(encoding: encoding, delimiter: .comma)
        let reference = CSVFixtures.parse(bytes, dialect: dialect, chunkSize: bytes.count)
        #expect(reference.records.count == 12)
        #expect(reference.records.last?.endOffset == Int64(bytes.count))
        for size in CSVFixtures.chunkSizes {
            let whole = CSVFixtures.parse(bytes, dialect: dialect, chunkSize: size)
            #expect(whole.records == reference.records, "chunk size \(size)")
            guard let afterHeader = whole.headerResumePoint, let header = whole.header else {
                Issue.record("no header")
                continue
            }
            let points = [afterHeader] + whole.records.map { CSVResumePoint(after: $0, header: header) }
            for (k, point) in points.enumerated() {
                let suffix = Array(bytes[Int(point.byteOffset)...])
                let resumed = CSVFixtures.parse(suffix, dialect: dialect, chunkSize: size, resumeAt: point)
                #expect(resumed.records == Array(whole.records[k...]), "\(encoding) chunk size \(size), resumed after record \(k)")
                #expect(resumed.header == header)
            }
        }
    }

    @Test("Every encoding reads the same records from the same text", arguments: [false, true])
    func sameRecordsInEveryEncoding(_ unterminated: Bool) {
        let file = Self.nastyFile(unterminated: unterminated)
        let utf8 = CSVFixtures.parse(CSVFixtures.encode(file, as: .utf8), dialect: CSVDialect(encoding: .utf8)).records
        #expect(utf8[0].fields == ["José", "jose@example.com", "multi\r\nline, with comma", "€5"])
        #expect(utf8.map(\.line) == [3, 7, 8, 9, 10, 11, 12, 13, 14, 17, 21, 23])
        for encoding in CSVEncoding.allCases where encoding != .utf8 {
            let other = CSVFixtures.parse(CSVFixtures.encode(file, as: encoding), dialect: CSVDialect(encoding: encoding)).records
            #expect(other.map(\.fields) == utf8.map(\.fields), "\(encoding)")
            #expect(other.map(\.line) == utf8.map(\.line))
            #expect(other.map(\.nextLine) == utf8.map(\.nextLine))
            #expect(other.map { $0.errors.map(\.code) } == utf8.map { $0.errors.map(\.code) })
        }
    }

    @Test("The scanner counts the records the parser emits", arguments: encodings)
    func scannerAgrees(_ encoding: CSVEncoding) throws {
        let bytes = CSVFixtures.encode(Self.nastyFile(unterminated: true), as: encoding)
        for size in CSVFixtures.chunkSizes {
            let shape = try CSVFixtures.scan(bytes, chunkSize: size)
            // Not valid UTF-8 without a byte-order mark (the 0xFF byte): read as Windows-1252,
            // where 0xFF is "ÿ".
            let expected: CSVEncoding = encoding == .utf8 ? .windows1252 : encoding
            #expect(shape.dialect == CSVDialect(encoding: expected, delimiter: .comma))
            #expect(shape.header == ["Name", "Email", "Notes", "Amount"])
            #expect(shape.dataRowCount == 12)
            #expect(shape.undecodableCount == (encoding == .utf8 ? 0 : 1))
        }
    }

    @Test("The nasty file's records, line by line")
    func nastyRecords() {
        let records = CSVFixtures.parse(
            CSVFixtures.encode(Self.nastyFile(unterminated: true), as: .utf8),
            dialect: CSVDialect(encoding: .utf8)
        ).records
        #expect(records.map(\.fields) == [
            ["José", "jose@example.com", "multi\r\nline, with comma", "€5"],
            ["Ana", "ana@x.com", "she said \"hi\"", "10"],
            ["Bob", "bob@x.com", "plain"],
            ["Cara", "cara@x.com", "lone CR", "3"],
            ["Dan", "dan@x.com", "ax", "4"],
            ["Eve", "eve\"s@x.com", "stray", "1", "extra"],
            ["", "", "", ""],
            ["", "", "", ""],
            ["Fay", "fay@x.com", "quoted\n\nblank lines inside", "€"],
            ["Gus", "gus@x.com", "’curly’ ñ ü \u{FFFD}", "=SUM(A1)"],
            ["Hal", "hal@x.com", "cr only\rinside", "-5"],
            ["Ivy", "ivy@x.com", "unterminated,at end\r\nmore"],
        ])
        #expect(records.map(\.line) == [3, 7, 8, 9, 10, 11, 12, 13, 14, 17, 21, 23])
        #expect(records.map { $0.errors.map(\.code) } == [
            [], [], [CSVRowIssue.Code.raggedRow], [], [CSVRowIssue.Code.textAfterQuote],
            [CSVRowIssue.Code.strayQuote, CSVRowIssue.Code.raggedRow], [], [], [],
            [CSVRowIssue.Code.undecodableBytes], [],
            [CSVRowIssue.Code.unterminatedQuote, CSVRowIssue.Code.raggedRow],
        ])
    }
}
