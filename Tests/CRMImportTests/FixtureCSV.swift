import Foundation

/// A minimal RFC 4180 reader for the test fixtures (quoted fields, doubled quotes, line breaks
/// inside quotes), so these tests do not depend on the CSV target being written alongside.
struct FixtureCSV {
    let header: [String]
    let rows: [[String]]

    static func load(_ name: String, filePath: String = #filePath) throws -> FixtureCSV {
        let url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures").appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        var records = parse(text)
        guard !records.isEmpty else { return FixtureCSV(header: [], rows: []) }
        let header = records.removeFirst()
        return FixtureCSV(header: header, rows: records)
    }

    static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            if inQuotes {
                if scalar == "\"" {
                    if scalars.first == "\"" {
                        field.unicodeScalars.append("\"")
                        scalars.removeFirst()
                    } else {
                        inQuotes = false
                    }
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"": inQuotes = true
            case ",":
                record.append(field)
                field = ""
            case "\r": continue
            case "\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
            default: field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}
