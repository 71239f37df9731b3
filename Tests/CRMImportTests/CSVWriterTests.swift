@testable import CRMImport
import Testing

@Suite("CSV writer")
struct CSVWriterTests {
    @Test("Cells are quoted only when needed")
    func quoting() {
        #expect(CSVWriter.cell("plain") == "plain")
        #expect(CSVWriter.cell("a,b") == "\"a,b\"")
        #expect(CSVWriter.cell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVWriter.cell("two\nlines") == "\"two\nlines\"")
        #expect(CSVWriter.cell("cr\rhere") == "\"cr\rhere\"")
        #expect(CSVWriter.cell(" padded") == "\" padded\"")
        #expect(CSVWriter.cell("padded ") == "\"padded \"")
        #expect(CSVWriter.cell("a;b") == "a;b")
        #expect(CSVWriter.cell("a;b", delimiter: .semicolon) == "\"a;b\"")
        #expect(CSVWriter.cell("a\tb", delimiter: .tab) == "\"a\tb\"")
        #expect(CSVWriter.cell("") == "")
        #expect(CSVWriter.cell("José ₹") == "José ₹")
    }

    @Test("Formula injection is neutralized with a leading quote", arguments: [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+91 98200 12345", "'+91 98200 12345"),
        ("-5", "'-5"),
        ("@x", "'@x"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "\"'\rcmd\""),
        ("=HYPERLINK(\"http://evil\")", "\"'=HYPERLINK(\"\"http://evil\"\")\""),
        ("=1,2", "\"'=1,2\""),
        ("a=b", "a=b"),
    ])
    func neutralizes(_ value: String, _ written: String) {
        #expect(CSVWriter.cell(value) == written)
        #expect(CSVWriter.cell(value, neutralizesFormulas: false) != written || !value.hasPrefix("="))
    }

    @Test("Rows end with CRLF; a document starts with the UTF-8 byte-order mark")
    func rowsAndDocument() {
        #expect(CSVWriter.row(["a", "b,c", "=1"]) == "a,\"b,c\",'=1\r\n")
        let document = CSVWriter.document(header: ["row", "error"], rows: [["2", "bad email"], ["3", "-"]])
        #expect(Array(document.prefix(3)) == CSVWriter.utf8ByteOrderMark)
        #expect(String(decoding: document.dropFirst(3), as: UTF8.self) == "row,error\r\n2,bad email\r\n3,'-\r\n")
    }

    @Test("What the writer writes, the parser reads back")
    func roundTrip() {
        let rows = [["id", "notes", "name"], ["1", "multi\r\nline, \"quoted\"", " José "], ["2", "", "₹ 5,00,000"]]
        var bytes: [UInt8] = []
        for row in rows { CSVWriter.appendRow(row, to: &bytes) }
        let parsed = CSVFixtures.parse(bytes, chunkSize: 5)
        #expect(parsed.header == ["id", "notes", "name"])
        #expect(parsed.records.map(\.fields) == Array(rows.dropFirst()))
        #expect(parsed.records.allSatisfy { $0.errors.isEmpty })
    }
}
