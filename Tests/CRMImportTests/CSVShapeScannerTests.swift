@testable import CRMImport
import Testing
import VelocityTypes

@Suite("CSV shape scanner")
struct CSVShapeScannerTests {
    @Test("Counts data rows: trailing line break, blank lines, quoted line breaks, CRLF and CR")
    func counts() throws {
        let text = "\n  \r\n Name , Email ,\"\",\n\"Asha\",\"a@x\r\nb\",1,2\r\n\r\n\n \t \nRavi,r@x,3,4\rSam,s@x,5,6\r\n\r\n"
        for size in CSVFixtures.chunkSizes {
            let shape = try CSVFixtures.scan(Array(text.utf8), chunkSize: size)
            #expect(shape.header == ["Name", "Email", "column_3", "column_4"])
            #expect(shape.dataRowCount == 3)
            #expect(shape.byteCount == Int64(text.utf8.count))
            #expect(CSVFixtures.parse(Array(text.utf8), chunkSize: size).records.count == 3)
        }
    }

    @Test("A last row without a line break counts")
    func lastRowWithoutBreak() throws {
        #expect(try CSVFixtures.scan("a,b\n1,2\n3,4").dataRowCount == 2)
    }

    @Test("An empty file is refused", arguments: [[], [0xEF, 0xBB, 0xBF], [0xFF, 0xFE], Array(" \r\n\t\n\n".utf8)])
    func emptyFile(_ bytes: [UInt8]) {
        let error = CSVFixtures.refusal(bytes)
        #expect(error?.code == .emptyFile)
        #expect(error?.message == (bytes.isEmpty ? "the file is empty" : "the file has no rows: it holds only blank lines or whitespace"))
    }

    @Test("A header without data rows is refused", arguments: ["Name,Email", "Name,Email\n", "Name,Email\r\n\r\n\n  \n"])
    func headerOnly(_ text: String) {
        let error = CSVFixtures.refusal(Array(text.utf8))
        #expect(error?.code == .headerOnly)
        #expect(error?.message == "the file has a header (2 columns) but no data rows")
    }

    @Test("Duplicate header names are refused, naming them and their columns")
    func duplicateHeaders() {
        let one = CSVFixtures.refusal(Array("Name,Phone,Email,City,State,Zip, email \nx,1,2,3,4,5,6\n".utf8))
        #expect(one?.code == .duplicateHeaders)
        #expect(one?.message == "the header names \"Email\" twice (columns 3 and 7); rename or remove the duplicate column")
        let two = CSVFixtures.refusal(Array("Email,Phone,EMAIL,phone,email\n1,2,3,4,5\n".utf8))
        #expect(two?.message == "the header repeats column names: \"Email\" 3 times (columns 1, 3 and 5), \"Phone\" twice (columns 2 and 4); rename or remove the duplicate columns")
        #expect(two.map { "\($0)" }?.hasPrefix("csv duplicate_headers: ") == true)
    }

    @Test("Empty header names may repeat; they become column_N")
    func emptyHeaderNames() throws {
        let shape = try CSVFixtures.scan("Name,,  ,column_2\na,b,c,d\n")
        #expect(shape.header == ["Name", "column_2_2", "column_3", "column_2"])
    }

    @Test("Binary files are refused", arguments: [
        ([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "PNG image"),
        ([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00], "ZIP archive"),
        (Array("%PDF-1.7\n".utf8), "PDF document"),
        ([0x1F, 0x8B, 0x08, 0x00], "gzip-compressed"),
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1], "old Excel workbook"),
        (Array("name,email\nasha,a".utf8) + [0x00] + Array("@x\n".utf8), "NUL bytes"),
    ] as [([UInt8], String)])
    func binary(_ bytes: [UInt8], _ what: String) {
        for size in [1, 3, 4096] {
            let error = CSVFixtures.refusal(bytes, chunkSize: size)
            #expect(error?.code == .notCSV)
            #expect(error?.message.contains(what) == true, "\(error?.message ?? "nil")")
        }
    }

    @Test("A NUL byte is refused while feeding, before the end of the file")
    func nulWhileFeeding() {
        var scanner = CSVShapeScanner(limits: CSVLimits(maxRows: 100))
        #expect(throws: CSVError.self) {
            try scanner.feed(Array("a,b\n1,".utf8) + [0, 0, 0])
        }
    }

    @Test("More rows than the limit are refused while feeding, before the end")
    func tooManyRows() throws {
        var scanner = CSVShapeScanner(limits: CSVLimits(maxRows: 100))
        var fed = 0
        var caught: CSVError?
        do throws(CSVError) {
            try scanner.feed(Array("id,name\n".utf8))
            for index in 0..<10_000 {
                try scanner.feed(Array("\(index),name \(index)\n".utf8))
                fed += 1
            }
        } catch {
            caught = error
        }
        #expect(caught?.code == .tooManyRows)
        #expect(caught?.message == "the file has more than 100 data rows, the most one import accepts; split it into smaller files")
        #expect(fed < 1_000)
        // Exactly at the limit is fine.
        let atLimit = "id\n" + (1...100).map { "\($0)\n" }.joined()
        #expect(try CSVFixtures.scan(Array(atLimit.utf8), limits: CSVLimits(maxRows: 100)).dataRowCount == 100)
        #expect(CSVFixtures.refusal(Array((atLimit + "101").utf8), limits: CSVLimits(maxRows: 100))?.code == .tooManyRows)
    }

    @Test("More header columns than the limit are refused")
    func tooManyColumns() {
        let header = (1...20).map { "c\($0)" }.joined(separator: ",")
        let error = CSVFixtures.refusal(Array("\(header)\n1,2\n".utf8), limits: CSVLimits(maxRows: 10, maxColumns: 10))
        #expect(error?.code == .tooManyColumns)
        #expect(error?.message == "the header has 20 columns, more than the 10 an import accepts")
        let atLimit = (1...10).map { "c\($0)" }.joined(separator: ",")
        #expect(CSVFixtures.refusal(Array("\(atLimit)\n1\n".utf8), limits: CSVLimits(maxRows: 10, maxColumns: 10)) == nil)
    }

    @Test("A header with a quote that never closes is refused, not read into memory")
    func headerTooLong() {
        var bytes = Array("\"Name,Email\n".utf8)
        bytes += [UInt8](repeating: UInt8(ascii: "x"), count: CSVRecordCounter.maxHeaderBytes + 10)
        let error = CSVFixtures.refusal(bytes, chunkSize: 65_536)
        #expect(error?.code == .headerTooLong)
    }

    @Test("The header is decoded and trimmed; cells with quotes keep their inner text")
    func headerDecoding() throws {
        let shape = try CSVFixtures.scan(Array("\"First, name\" ,\"Say \"\"hi\"\"\",\tPhone\t\n1,2,3\n".utf8))
        #expect(shape.header == ["First, name", "Say \"hi\"", "Phone"])
    }
}
