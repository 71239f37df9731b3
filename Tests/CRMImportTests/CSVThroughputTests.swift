@testable import CRMImport
import Foundation
import Testing

/// A release-build measure, not a check: run with
/// `CSV_THROUGHPUT=1 swift test -c release --filter Throughput`.
@Suite("CSV throughput", .enabled(if: ProcessInfo.processInfo.environment["CSV_THROUGHPUT"] != nil))
struct CSVThroughputTests {
    /// A contacts export of about `megabytes` MB: 12 columns, ~150 bytes a row, a few quoted cells.
    static func contacts(megabytes: Int) -> (bytes: [UInt8], rows: Int) {
        var bytes = Array("id,first_name,last_name,email,phone,company,city,state,country,lead_source,created_at,notes\r\n".utf8)
        let firstNames = ["Asha", "Ravi", "José", "Priya", "John", "Mary", "Arjun", "Sneha"]
        let lastNames = ["Kumar", "Sharma", "García", "Iyer", "Smith", "O'Brien", "Patel", "Nair"]
        let cities = ["Mumbai", "Pune", "Bengaluru", "New Delhi", "Austin", "London"]
        let companies = ["\"Acme, Inc.\"", "Globex", "\"Initech \"\"Labs\"\"\"", "Umbrella Corp", "Tata Realty"]
        var row = 0
        let target = megabytes * 1_000_000
        while bytes.count < target {
            row += 1
            let first = firstNames[row % firstNames.count]
            let last = lastNames[row % lastNames.count]
            let notes = row % 4 == 0 ? "\"Called twice, wants 2BHK near metro\"" : "follow up about the site visit"
            let line = "\(row),\(first),\(last),\(first.lowercased()).\(row)@example.com,+91 98\(row % 1000) \(10000 + row % 90000),"
                + "\(companies[row % companies.count]),\(cities[row % cities.count]),MH,India,Website,2024-03-\(10 + row % 18)T10:15:00Z,\(notes)\r\n"
            bytes += Array(line.utf8)
        }
        return (bytes, row)
    }

    /// The best of three parses of `bytes` in `encoding`, and the fields read.
    static func parseTime(_ bytes: [UInt8], encoding: CSVEncoding) -> (Duration, Int) {
        let chunkSize = 1 << 20
        let clock = ContinuousClock()
        var best = Duration.seconds(1_000)
        var fields = 0
        for _ in 0..<3 {
            var parser = CSVParser(dialect: CSVDialect(encoding: encoding), limits: CSVLimits(maxRows: 2_000_000))
            var count = 0
            let elapsed = clock.measure {
                var start = 0
                while start < bytes.count {
                    let end = min(start + chunkSize, bytes.count)
                    parser.feed(bytes[start..<end]) { count += $0.fields.count }
                    start = end
                }
                parser.finish { count += $0.fields.count }
            }
            fields = count
            best = min(best, elapsed)
        }
        return (best, fields)
    }

    @Test("Throughput of the parser and the scanner")
    func throughput() throws {
        let (bytes, rows) = Self.contacts(megabytes: 150)
        let chunkSize = 1 << 20
        let clock = ContinuousClock()
        let (best, fields) = Self.parseTime(bytes, encoding: .utf8)
        #expect(fields == rows * 12)
        var scanBest = Duration.seconds(1_000)
        for _ in 0..<3 {
            var scanner = CSVShapeScanner(limits: CSVLimits(maxRows: 2_000_000))
            let elapsed = try clock.measure {
                var start = 0
                while start < bytes.count {
                    let end = min(start + chunkSize, bytes.count)
                    try scanner.feed(bytes[start..<end])
                    start = end
                }
                #expect(try scanner.finish().dataRowCount == rows)
            }
            scanBest = min(scanBest, elapsed)
        }
        func rate(_ duration: Duration) -> (Double, Double) {
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
            return (Double(bytes.count) / seconds / 1e6, Double(rows) / seconds)
        }
        let (parseMB, parseRows) = rate(best)
        let (scanMB, scanRows) = rate(scanBest)
        print(String(format: "CSV throughput: %d rows, %.1f MB, %.0f bytes/row", rows, Double(bytes.count) / 1e6, Double(bytes.count) / Double(rows)))
        print(String(format: "CSVParser:       %.0f MB/s, %.0f rows/s (best of 3)", parseMB, parseRows))
        print(String(format: "CSVShapeScanner: %.0f MB/s, %.0f rows/s (best of 3)", scanMB, scanRows))
        // The same bytes read as Windows-1252 (converted to UTF-8 first), and as UTF-16LE.
        let (latinBest, _) = Self.parseTime(bytes, encoding: .windows1252)
        let (latinMB, latinRows) = rate(latinBest)
        print(String(format: "CSVParser windows-1252: %.0f MB/s, %.0f rows/s", latinMB, latinRows))
        let text = String(decoding: bytes, as: UTF8.self)
        let utf16 = CSVFixtures.encode(text, as: .utf16LE)
        let (utf16Best, utf16Fields) = Self.parseTime(utf16, encoding: .utf16LE)
        #expect(utf16Fields == rows * 12)
        let seconds = Double(utf16Best.components.seconds) + Double(utf16Best.components.attoseconds) / 1e18
        print(String(format: "CSVParser utf-16le: %.0f MB/s of UTF-16 (%.0f rows/s)", Double(utf16.count) / seconds / 1e6, Double(rows) / seconds))
    }
}
