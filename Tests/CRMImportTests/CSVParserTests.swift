@testable import CRMImport
import Testing
import VelocityTypes

@Suite("CSV parser")
struct CSVParserTests {
    typealias Code = CSVRowIssue.Code

    @Test("The header is not emitted; data records count from 1 with their physical lines")
    func headerAndNumbers() {
        let parsed = CSVFixtures.parse(Array("\n Name ,Email\nAsha,a@x\n\nRavi,\"r\n@x\"\nSam,s@x\n".utf8))
        #expect(parsed.header == ["Name", "Email"])
        #expect(parsed.records.map(\.number) == [1, 2, 3])
        #expect(parsed.records.map(\.line) == [3, 5, 7])
        #expect(parsed.records.map(\.nextLine) == [4, 7, 8])
        #expect(parsed.records.map(\.fields) == [["Asha", "a@x"], ["Ravi", "r\n@x"], ["Sam", "s@x"]])
        #expect(parsed.headerResumePoint == CSVResumePoint(byteOffset: 14, recordNumber: 0, header: ["Name", "Email"], line: 3))
    }

    @Test("Quoted line breaks, doubled quotes, delimiters inside quotes")
    func quoting() {
        let records = CSVFixtures.records("a,b,c\n\"x\r\ny\",\"say \"\"hi\"\"\",\"1,2\"\n\"\",\"\"\"\",\n")
        #expect(records.map(\.fields) == [["x\r\ny", "say \"hi\"", "1,2"], ["", "\"", ""]])
        #expect(records.allSatisfy { $0.errors.isEmpty })
        #expect(records.map(\.line) == [2, 4])
    }

    @Test("CRLF, LF and lone CR line endings; a last record without a line break")
    func lineEndings() {
        let records = CSVFixtures.records("a,b\r\n1,2\n3,4\r5,6\r\n\r7,8")
        #expect(records.map(\.fields) == [["1", "2"], ["3", "4"], ["5", "6"], ["7", "8"]])
        #expect(records.map(\.line) == [2, 3, 4, 6])
        #expect(records.map(\.endOffset) == [9, 13, 18, 22])
    }

    @Test("A CRLF split across chunks is one line break", arguments: [1, 2, 3, 4, 5, 6])
    func crlfSplit(_ size: Int) {
        let bytes = Array("a,b\r\n1,2\r\n3,\"4\r\n5\"\r\n".utf8)
        let records = CSVFixtures.parse(bytes, chunkSize: size).records
        #expect(records.map(\.fields) == [["1", "2"], ["3", "4\r\n5"]])
        #expect(records.map(\.line) == [2, 3])
        #expect(records.map(\.nextLine) == [3, 5])
        #expect(records.map(\.endOffset) == [10, Int64(bytes.count)])
    }

    @Test("Blank lines (empty or only spaces and tabs) are skipped; rows of empty cells are not")
    func blankLines() {
        let records = CSVFixtures.records("a,b\n\n  \n\t\r\n,\n\"\"\n1,2\n\n\n")
        #expect(records.map(\.fields) == [["", ""], [""], ["1", "2"]])
        #expect(records.map(\.number) == [1, 2, 3])
        #expect(records[1].errors.map(\.code) == [Code.raggedRow])
    }

    @Test("Whitespace around cells is kept")
    func whitespaceKept() {
        #expect(CSVFixtures.records("a,b\n  x , \ty\t\n").map(\.fields) == [["  x ", " \ty\t"]])
    }

    @Test("Formula-looking cells are data, kept verbatim")
    func formulas() {
        let records = CSVFixtures.records("a,b,c,d\n=SUM(A1),+91 98200 12345,-5,@x\n\"=HYPERLINK(\"\"http://e\"\")\",'1,+,-\n")
        #expect(records.map(\.fields) == [["=SUM(A1)", "+91 98200 12345", "-5", "@x"], ["=HYPERLINK(\"http://e\")", "'1", "+", "-"]])
        #expect(records.allSatisfy { $0.errors.isEmpty })
    }

    @Test("Ragged rows keep their cells and are reported")
    func ragged() {
        let records = CSVFixtures.records("a,b,c\n1,2\n1,2,3,4\n1,2,3\n")
        #expect(records.map(\.fields) == [["1", "2"], ["1", "2", "3", "4"], ["1", "2", "3"]])
        #expect(records[0].errors == [CSVRowIssue(code: Code.raggedRow, message: "the row has 2 values but the header has 3 columns")])
        #expect(records[1].errors == [CSVRowIssue(code: Code.raggedRow, message: "the row has 4 values but the header has 3 columns")])
        #expect(records[2].errors.isEmpty)
    }

    @Test("A quote left open at the end of the file is reported; the rest of the file is in the cell")
    func unterminatedQuote() {
        let records = CSVFixtures.records("a,b\n1,2\n3,\"open\n4,5\n")
        #expect(records.map(\.fields) == [["1", "2"], ["3", "open\n4,5\n"]])
        #expect(records[1].errors == [CSVRowIssue(
            code: Code.unterminatedQuote,
            message: "column 2 (\"b\") opens a quote that is never closed; the rest of the file was read into it",
            column: 1
        )])
        #expect(records[1].endOffset == 20)
    }

    @Test("A stray quote in an unquoted cell is kept as data and reported")
    func strayQuote() {
        let records = CSVFixtures.records("size,name\n5\" screen,tv\n")
        #expect(records.map(\.fields) == [["5\" screen", "tv"]])
        #expect(records[0].errors == [CSVRowIssue(
            code: Code.strayQuote,
            message: "column 1 (\"size\") has a quote inside an unquoted value; it was kept as text",
            column: 0
        )])
    }

    @Test("Text after a closing quote is kept as data and reported")
    func textAfterQuote() {
        let records = CSVFixtures.records("a,b\n\"abc\"x,\"d\" \n")
        #expect(records.map(\.fields) == [["abcx", "d "]])
        #expect(records[0].errors.map(\.code) == [Code.textAfterQuote, Code.textAfterQuote])
        #expect(records[0].errors.map(\.column) == [0, 1])
    }

    @Test("A 10,000-character cell parses whole under the default limit")
    func longCell() {
        let long = String(repeating: "abcdé", count: 2_000)
        let text = "id,notes\n1,\"\(long)\"\n2,\(long)\n"
        for size in [7, 4096] {
            let records = CSVFixtures.parse(Array(text.utf8), chunkSize: size).records
            #expect(records.map { $0.fields[1] } == [long, long])
            #expect(records.allSatisfy { $0.errors.isEmpty })
        }
    }

    @Test("A cell over maxCellBytes is cut at a character boundary and reported")
    func cellTooLong() {
        let long = String(repeating: "₹", count: 1_000)  // 3,000 bytes
        let records = CSVFixtures.records("id,notes\n1,\"\(long)\"\n2,ok\n", limits: CSVLimits(maxRows: 10, maxCellBytes: 1_000))
        #expect(records[0].fields[1] == String(repeating: "₹", count: 333))
        #expect(records[0].errors == [CSVRowIssue(
            code: Code.cellTooLong,
            message: "column 2 (\"notes\") is 3,000 bytes long, over the limit of 1,000; only its start was kept",
            column: 1
        )])
        #expect(records[1].fields == ["2", "ok"])
    }

    @Test("A 1 MB cell is bounded in memory")
    func hugeCell() {
        var parser = CSVParser(dialect: CSVDialect(), limits: CSVLimits(maxRows: 10))
        var records: [CSVRecord] = []
        parser.feed(Array("id,notes\n1,\"".utf8)) { records.append($0) }
        let block = [UInt8](repeating: UInt8(ascii: "x"), count: 4_096)
        for _ in 0..<256 {
            parser.feed(block) { records.append($0) }
            #expect(parser.fieldBytes.capacity < 100_000)
        }
        parser.feed(Array("\"\n2,y\n".utf8)) { records.append($0) }
        parser.finish { records.append($0) }
        #expect(records.count == 2)
        #expect(records[0].fields[1].utf8.count == 32_768)
        #expect(records[0].errors.map(\.code) == [Code.cellTooLong])
        #expect(records[0].errors.first?.message.contains("1,048,576 bytes") == true)
        #expect(records[1].fields == ["2", "y"])
    }

    @Test("Cells past maxColumns are dropped and reported")
    func tooManyFields() {
        let records = CSVFixtures.records("a,b\n1,2,3,4,5\n", limits: CSVLimits(maxRows: 10, maxColumns: 3))
        #expect(records[0].fields == ["1", "2", "3"])
        #expect(records[0].errors.map(\.code) == [Code.tooManyFields, Code.raggedRow])
        #expect(records[0].errors.last?.message == "the row has 5 values but the header has 2 columns")
    }

    @Test("Undecodable bytes are reported on their cell", arguments: [CSVEncoding.utf8, .windows1252, .utf16LE])
    func undecodable(_ encoding: CSVEncoding) {
        let bytes = CSVFixtures.encode([.text("a,b\nok,fine\nx,bad"), .undecodable, .text("!\ny,z\n")], as: encoding)
        for size in [1, 3, 4096] {
            let records = CSVFixtures.parse(bytes, dialect: CSVDialect(encoding: encoding), chunkSize: size).records
            #expect(records.map(\.fields) == [["ok", "fine"], ["x", "bad\u{FFFD}!"], ["y", "z"]])
            #expect(records.map { $0.errors.map(\.code) } == [[], [Code.undecodableBytes], []])
            #expect(records[1].errors.first?.column == 1)
            #expect(records[1].errors.first?.message.hasPrefix("column 2 (\"b\") is not valid \(encoding.rawValue) text") == true)
        }
    }

    @Test("Semicolon and tab files parse with their delimiter")
    func otherDelimiters() {
        #expect(CSVFixtures.records("a;b\n1,5;\"x;y\"\n", delimiter: .semicolon).map(\.fields) == [["1,5", "x;y"]])
        #expect(CSVFixtures.records("a\tb\n1,5\t\"x\ty\"\n", delimiter: .tab).map(\.fields) == [["1,5", "x\ty"]])
    }

    @Test("Chunk sizes do not change the records")
    func chunkIndependence() {
        let bytes = Array("h1,h2\n\"a\"\"\r\nb\",c\r\n\r\nd,\"e\"f\rg\"h,i\n".utf8)
        let expected = CSVFixtures.parse(bytes, chunkSize: bytes.count).records
        #expect(expected.count == 3)
        for size in 1...bytes.count {
            #expect(CSVFixtures.parse(bytes, chunkSize: size).records == expected)
        }
    }
}
