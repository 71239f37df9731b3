@testable import CRMImport
import Testing
import VelocityTypes

@Suite("CSV delimiter detection")
struct CSVDelimiterTests {
    @Test("Each delimiter is detected, and the scanner and parser use it", arguments: [
        ("Name,Email,City\nAsha,asha@x.in,Pune\nRavi,ravi@x.in,Delhi\n", CSVDelimiter.comma),
        ("Name;Betrag;Stadt\nJörg;1,50;Köln\nAnna;2,00;Bonn\n", CSVDelimiter.semicolon),
        ("Name\tNotes\nAsha\thello, world; bye\nRavi\tx\n", CSVDelimiter.tab),
    ])
    func detects(_ text: String, _ expected: CSVDelimiter) throws {
        #expect(CSVDelimiter.detect(Array(text.utf8)) == expected)
        #expect(expected.byte == UInt8(ascii: Unicode.Scalar(expected.rawValue) ?? ","))
        let shape = try CSVFixtures.scan(text)
        #expect(shape.dialect.delimiter == expected)
        #expect(shape.header.count == 3 || expected == .tab)
        let records = CSVFixtures.records(text, delimiter: expected)
        #expect(records.allSatisfy { $0.fields.count == shape.header.count && $0.errors.isEmpty })
    }

    @Test("A single column defaults to comma")
    func singleColumn() throws {
        #expect(CSVDelimiter.detect(Array("email\na@x.com\nb@x.com\n".utf8)) == .comma)
        let shape = try CSVFixtures.scan("email\na@x.com\nb@x.com\n")
        #expect(shape.dialect.delimiter == .comma)
        #expect(shape.header == ["email"])
        #expect(shape.dataRowCount == 2)
    }

    @Test("Delimiters inside quotes do not count")
    func quotedDelimiters() {
        let text = "\"Name; full\";\"City, State\"\n\"Doe, J.\";\"Austin, TX\"\n\"Roe; K\";Pune\n"
        #expect(CSVDelimiter.detect(Array(text.utf8)) == .semicolon)
    }

    @Test("The most consistent column count wins over a header that splits on both")
    func consistency() {
        // The header splits on both, but only the semicolon keeps the rows' column counts.
        let text = "a,b;c\n1;2\n3;4\n5;6\n"
        #expect(CSVDelimiter.detect(Array(text.utf8)) == .semicolon)
    }

    @Test("The scanner decides the same delimiter whatever the chunk sizes")
    func streamedDetection() throws {
        var text = "Name;Note\n"
        for index in 0..<3_000 { text += "n\(index);\"a, b\nc\"\n" }
        for size in [1, 7, 100, 4096, 70_000] {
            let shape = try CSVFixtures.scan(Array(text.utf8), chunkSize: size)
            #expect(shape.dialect.delimiter == .semicolon)
            #expect(shape.dataRowCount == 3_000)
        }
    }
}
