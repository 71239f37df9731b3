@testable import CRMImport
import Testing
import VelocityTypes

/// Encoders and chunked drivers shared by the CSV tests.
enum CSVFixtures {
    /// A piece of a test file: text, or a byte sequence the encoding cannot decode.
    enum Segment {
        case text(String)
        case undecodable
    }

    static let chunkSizes = [1, 2, 3, 7, 4096]

    static func encode(_ segments: [Segment], as encoding: CSVEncoding) -> [UInt8] {
        var bytes = encoding.byteOrderMark
        for segment in segments {
            switch segment {
            case .text(let text): bytes += encodeBody(text, as: encoding)
            case .undecodable:
                switch encoding {
                case .utf8, .utf8BOM: bytes += [0xFF]
                case .windows1252: bytes += [0x81]
                case .utf16LE: bytes += [0x00, 0xD8]
                case .utf16BE: bytes += [0xD8, 0x00]
                }
            }
        }
        return bytes
    }

    /// `text` in `encoding`, with the encoding's byte-order mark.
    static func encode(_ text: String, as encoding: CSVEncoding) -> [UInt8] {
        encode([.text(text)], as: encoding)
    }

    static func encodeBody(_ text: String, as encoding: CSVEncoding) -> [UInt8] {
        switch encoding {
        case .utf8, .utf8BOM: return Array(text.utf8)
        case .utf16LE: return text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        case .utf16BE: return text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        case .windows1252: return windows1252(text)
        }
    }

    static func windows1252(_ text: String) -> [UInt8] {
        text.unicodeScalars.map { scalar in
            if scalar.value < 0x80 || (0xA0...0xFF).contains(scalar.value) { return UInt8(scalar.value) }
            let byte = (0x80...0x9F).first { CSVTranscoder.windows1252C1(UInt8($0)) == scalar.value }
            precondition(byte != nil, "\(scalar) is not in Windows-1252")
            return UInt8(byte ?? 0x3F)
        }
    }

    static func chunks(_ bytes: [UInt8], size: Int) -> [ArraySlice<UInt8>] {
        stride(from: 0, to: bytes.count, by: size).map { bytes[$0..<min($0 + size, bytes.count)] }
    }

    struct Parsed {
        var header: [String]?
        var headerResumePoint: CSVResumePoint?
        var records: [CSVRecord]
    }

    static func parse(
        _ bytes: [UInt8],
        dialect: CSVDialect = CSVDialect(),
        limits: CSVLimits = CSVLimits(maxRows: 1_000_000),
        chunkSize: Int = 4096,
        resumeAt: CSVResumePoint? = nil
    ) -> Parsed {
        var parser = CSVParser(dialect: dialect, limits: limits, resumeAt: resumeAt)
        var records: [CSVRecord] = []
        for chunk in chunks(bytes, size: chunkSize) { parser.feed(chunk) { records.append($0) } }
        parser.finish { records.append($0) }
        return Parsed(header: parser.header, headerResumePoint: parser.headerResumePoint, records: records)
    }

    /// The records of UTF-8 `text`.
    static func records(_ text: String, delimiter: CSVDelimiter = .comma, limits: CSVLimits = CSVLimits(maxRows: 1_000_000)) -> [CSVRecord] {
        parse(Array(text.utf8), dialect: CSVDialect(encoding: .utf8, delimiter: delimiter), limits: limits).records
    }

    static func scan(_ bytes: [UInt8], limits: CSVLimits = CSVLimits(maxRows: 1_000_000), chunkSize: Int = 4096) throws(CSVError) -> CSVShape {
        var scanner = CSVShapeScanner(limits: limits)
        for chunk in chunks(bytes, size: chunkSize) { try scanner.feed(chunk) }
        return try scanner.finish()
    }

    static func scan(_ text: String, limits: CSVLimits = CSVLimits(maxRows: 1_000_000)) throws(CSVError) -> CSVShape {
        try scan(Array(text.utf8), limits: limits)
    }

    /// The error a scan of `bytes` throws.
    static func refusal(_ bytes: [UInt8], limits: CSVLimits = CSVLimits(maxRows: 1_000_000), chunkSize: Int = 4096) -> CSVError? {
        do {
            _ = try scan(bytes, limits: limits, chunkSize: chunkSize)
            return nil
        } catch {
            return error
        }
    }
}
