/// The rules for header names shared by the scanner (which refuses duplicates) and the parser
/// (which exposes the names): trimmed of surrounding whitespace, an empty name becoming
/// `column_N` (N counted from 1), duplicates compared case-insensitively.
enum CSVHeader {
    /// `name` without surrounding whitespace or byte-order marks.
    static func trim(_ name: String) -> String {
        let scalars = name.unicodeScalars
        func isBlank(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace || scalar == "\u{FEFF}" }
        guard let first = scalars.firstIndex(where: { !isBlank($0) }),
            let last = scalars.lastIndex(where: { !isBlank($0) })
        else { return "" }
        return String(scalars[first...last])
    }

    /// The column names of the header cells `raw`.
    static func normalize(_ raw: [String]) -> [String] {
        var names = raw.map(trim)
        var taken = Set(names.filter { !$0.isEmpty }.map { $0.lowercased() })
        for index in names.indices where names[index].isEmpty {
            var name = "column_\(index + 1)"
            var suffix = 2
            while taken.contains(name.lowercased()) {
                name = "column_\(index + 1)_\(suffix)"
                suffix += 1
            }
            taken.insert(name.lowercased())
            names[index] = name
        }
        return names
    }

    /// The non-empty names that `raw` holds more than once, each with its first spelling and
    /// the (0-based) columns it stands in, in the order they first appear.
    static func duplicates(in raw: [String]) -> [(name: String, columns: [Int])] {
        var columnsByKey: [String: [Int]] = [:]
        var order: [(key: String, name: String)] = []
        for (index, cell) in raw.enumerated() {
            let name = trim(cell)
            guard !name.isEmpty else { continue }
            let key = name.lowercased()
            if columnsByKey[key] == nil { order.append((key, name)) }
            columnsByKey[key, default: []].append(index)
        }
        return order.compactMap { entry in
            guard let columns = columnsByKey[entry.key], columns.count > 1 else { return nil }
            return (entry.name, columns)
        }
    }
}
