/// Wording helpers of the CSV layer's messages.
enum CSVText {
    /// `12345678` as `12,345,678`, independent of the server's locale.
    static func grouped(_ value: some BinaryInteger) -> String {
        let digits = String(value.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return value < 0 ? "-" + result : result
    }

    /// `["3", "7", "9"]` as `3, 7 and 9`.
    static func list(_ items: [String]) -> String {
        guard let last = items.last else { return "" }
        return items.count == 1 ? last : items.dropLast().joined(separator: ", ") + " and " + last
    }

    /// `column 3 ("Email")`, or `column 3` where the header does not name it.
    static func column(_ index: Int, header: [String]?) -> String {
        guard let header, index < header.count else { return "column \(index + 1)" }
        return "column \(index + 1) (\"\(header[index])\")"
    }
}
