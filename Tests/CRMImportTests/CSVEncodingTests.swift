@testable import CRMImport
import Testing
import VelocityTypes

@Suite("CSV encoding detection")
struct CSVEncodingTests {
    @Test("UTF-8 without a byte-order mark, with ₹ and é")
    func utf8() throws {
        let text = "Name,Budget\nRavi Kumar,₹ 45 lakh\nJosé,€100\n"
        #expect(CSVEncoding.detect(Array(text.utf8)) == .utf8)
        let shape = try CSVFixtures.scan(Array(text.utf8), chunkSize: 1)
        #expect(shape.dialect == CSVDialect(encoding: .utf8, delimiter: .comma))
        #expect(shape.header == ["Name", "Budget"])
        #expect(shape.dataRowCount == 2)
        #expect(shape.undecodableCount == 0)
        let records = CSVFixtures.parse(Array(text.utf8), dialect: shape.dialect).records
        #expect(records.map(\.fields) == [["Ravi Kumar", "₹ 45 lakh"], ["José", "€100"]])
    }

    @Test("UTF-8 with a byte-order mark: detected and the mark stripped")
    func utf8BOM() throws {
        let bytes = CSVFixtures.encode("Name,City\nPriya,Pune\n", as: .utf8BOM)
        #expect(CSVEncoding.detect(bytes) == .utf8BOM)
        for size in CSVFixtures.chunkSizes {
            let shape = try CSVFixtures.scan(bytes, chunkSize: size)
            #expect(shape.dialect.encoding == .utf8BOM)
            #expect(shape.header == ["Name", "City"])
            let parsed = CSVFixtures.parse(bytes, dialect: shape.dialect, chunkSize: size)
            #expect(parsed.header == ["Name", "City"])
            #expect(parsed.records.map(\.fields) == [["Priya", "Pune"]])
            #expect(parsed.records.first?.endOffset == Int64(bytes.count))
        }
    }

    @Test("UTF-16 LE and BE with a byte-order mark", arguments: [CSVEncoding.utf16LE, .utf16BE])
    func utf16(_ encoding: CSVEncoding) throws {
        let text = "Name\tPhone\tNote\nअनिल\t+91 98200 12345\t😀 ₹500\n"
        let bytes = CSVFixtures.encode(text, as: encoding)
        #expect(CSVEncoding.detect(bytes) == encoding)
        for size in CSVFixtures.chunkSizes {
            let shape = try CSVFixtures.scan(bytes, chunkSize: size)
            #expect(shape.dialect == CSVDialect(encoding: encoding, delimiter: .tab))
            #expect(shape.header == ["Name", "Phone", "Note"])
            #expect(shape.dataRowCount == 1)
            #expect(shape.byteCount == Int64(bytes.count))
            let records = CSVFixtures.parse(bytes, dialect: shape.dialect, chunkSize: size).records
            #expect(records.map(\.fields) == [["अनिल", "+91 98200 12345", "😀 ₹500"]])
            #expect(records.first?.endOffset == Int64(bytes.count))
            #expect(records.first?.errors == [])
        }
    }

    @Test("Windows-1252: José and the euro sign")
    func windows1252() throws {
        let bytes: [UInt8] = Array("Name,Price\nJos".utf8) + [0xE9] + Array(",".utf8) + [0x80] + Array("5\n".utf8)
        #expect(CSVEncoding.detect(bytes) == .windows1252)
        for size in CSVFixtures.chunkSizes {
            let shape = try CSVFixtures.scan(bytes, chunkSize: size)
            #expect(shape.dialect == CSVDialect(encoding: .windows1252, delimiter: .comma))
            #expect(shape.undecodableCount == 0)
            let records = CSVFixtures.parse(bytes, dialect: shape.dialect, chunkSize: size).records
            #expect(records.map(\.fields) == [["José", "€5"]])
            #expect(records.first?.endOffset == Int64(bytes.count))
        }
    }

    @Test("A Windows-1252 header is decoded with the final encoding, even when the bad byte comes late")
    func windows1252HeaderDecidedAtEnd() throws {
        var bytes = CSVFixtures.windows1252("Société,Ville\n")
        for index in 0..<5_000 { bytes += Array("row\(index),Paris\n".utf8) }
        bytes += CSVFixtures.windows1252("Zoé,Lyon\n")
        let shape = try CSVFixtures.scan(bytes, chunkSize: 1000)
        #expect(shape.dialect.encoding == .windows1252)
        #expect(shape.header == ["Société", "Ville"])
        #expect(shape.dataRowCount == 5_001)
    }

    @Test("Undecodable bytes are counted: Windows-1252's five undefined bytes, UTF-16 lone surrogates")
    func undecodableCounts() throws {
        let latin: [UInt8] = Array("a,b\n".utf8) + [0x81, 0x2C, 0x8D, 0x8F, 0x90, 0x9D, 0xE9, 0x0A]
        let latinShape = try CSVFixtures.scan(latin)
        #expect(latinShape.dialect.encoding == .windows1252)
        #expect(latinShape.undecodableCount == 5)

        let utf16 = CSVFixtures.encode([.text("a,b\nx,"), .undecodable, .text("y\n")], as: .utf16LE)
        let utf16Shape = try CSVFixtures.scan(utf16)
        #expect(utf16Shape.dialect.encoding == .utf16LE)
        #expect(utf16Shape.undecodableCount == 1)

        let badUTF8 = CSVFixtures.encode([.text("a,b\nx,"), .undecodable, .text("y\n")], as: .utf8BOM)
        #expect(try CSVFixtures.scan(badUTF8).undecodableCount == 1)
    }
}

@Suite("CSV transcoder")
struct CSVTranscoderTests {
    func transcode(_ bytes: [UInt8], _ encoding: CSVEncoding, chunkSize: Int) -> (String, Int) {
        var transcoder = CSVTranscoder(encoding: encoding)
        var output: [UInt8] = []
        for chunk in CSVFixtures.chunks(bytes, size: chunkSize) { output += transcoder.transcode(chunk) }
        output += transcoder.finish()
        return (String(decoding: output, as: UTF8.self), transcoder.undecodableCount)
    }

    @Test("Every encoding round-trips whatever the chunk boundaries", arguments: CSVEncoding.allCases)
    func roundTrip(_ encoding: CSVEncoding) {
        let text = encoding == .windows1252 ? "José — “quoted” €5 ñ\r\n" : "José ₹ 😀 अनिल 𝄞\r\n"
        let bytes = CSVFixtures.encode(text, as: encoding)
        for size in [1, 2, 3, 4, 5, 7, 4096] {
            let (decoded, undecodable) = transcode(bytes, encoding, chunkSize: size)
            #expect(decoded == text, "chunk size \(size)")
            #expect(undecodable == 0)
        }
    }

    @Test("Lone surrogates and an odd trailing byte become U+FFFD, counted")
    func loneSurrogates() {
        // "a", lone high surrogate, "b", lone low surrogate, high surrogate at the end, odd byte.
        let units: [UInt16] = [0x61, 0xD800, 0x62, 0xDC00, 0xD83D]
        let body: [UInt8] = units.flatMap { (unit: UInt16) -> [UInt8] in [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let bytes: [UInt8] = [0xFF, 0xFE] + body + [0x41]
        for size in [1, 2, 3, 4096] {
            let (decoded, undecodable) = transcode(bytes, .utf16LE, chunkSize: size)
            #expect(decoded == "a\u{FFFD}b\u{FFFD}\u{FFFD}\u{FFFD}")
            #expect(undecodable == 4)
        }
    }

    @Test("Windows-1252's undefined bytes become U+FFFD, counted; the C1 range maps as Windows does")
    func windows1252Table() {
        let bytes: [UInt8] = [0x80, 0x81, 0x8A, 0x8D, 0x8F, 0x90, 0x92, 0x9D, 0x9F, 0xE9, 0xFF]
        let (decoded, undecodable) = transcode(bytes, .windows1252, chunkSize: 3)
        #expect(decoded == "€\u{FFFD}Š\u{FFFD}\u{FFFD}\u{FFFD}’\u{FFFD}Ÿéÿ")
        #expect(undecodable == 5)
    }

    @Test("UTF-8 passes through, byte-order mark stripped even when split; invalid bytes counted")
    func utf8Passthrough() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("ok ₹".utf8) + [0xC3, 0x28, 0xE2, 0x82]
        for size in [1, 2, 4096] {
            let (decoded, undecodable) = transcode(bytes, .utf8BOM, chunkSize: size)
            #expect(decoded == "ok ₹\u{FFFD}(\u{FFFD}")
            #expect(undecodable == 2)
        }
        // A short file that only starts like a byte-order mark keeps its bytes.
        #expect(transcode([0xEF, 0xBB], .utf8, chunkSize: 1).1 == 1)
        #expect(transcode(Array("ab".utf8), .utf8, chunkSize: 1).0 == "ab")
    }
}
