/// Writes RFC 4180 CSV for downloads (the error report of an import), safe to open in a
/// spreadsheet.
///
/// A cell is quoted when it holds the delimiter, a quote, a CR or an LF, or starts or ends
/// with a space or a tab; quotes inside are doubled; rows end with CRLF. A cell starting with
/// `=`, `+`, `-`, `@`, a tab or a CR gets a leading `'` so that a spreadsheet shows it as text
/// instead of running it as a formula (OWASP "CSV injection"); this also marks negative
/// numbers (`'-5`), the accepted price of the guard.
public enum CSVWriter {
    /// The UTF-8 byte-order mark: put before the first row so that Excel reads the file as
    /// UTF-8 (names with `é` or `₹` otherwise come out garbled).
    public static let utf8ByteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// One cell as written in a row (neutralized, then quoted where needed).
    public static func cell(_ value: String, delimiter: CSVDelimiter = .comma, neutralizesFormulas: Bool = true) -> String {
        var bytes: [UInt8] = []
        appendCell(value, to: &bytes, delimiter: delimiter.byte, neutralizesFormulas: neutralizesFormulas)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One row, with its CRLF.
    public static func row(_ cells: some Sequence<String>, delimiter: CSVDelimiter = .comma, neutralizesFormulas: Bool = true) -> String {
        var bytes: [UInt8] = []
        appendRow(cells, to: &bytes, delimiter: delimiter, neutralizesFormulas: neutralizesFormulas)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends one row, with its CRLF, to `output`.
    public static func appendRow(
        _ cells: some Sequence<String>,
        to output: inout [UInt8],
        delimiter: CSVDelimiter = .comma,
        neutralizesFormulas: Bool = true
    ) {
        var first = true
        for cell in cells {
            if !first { output.append(delimiter.byte) }
            first = false
            appendCell(cell, to: &output, delimiter: delimiter.byte, neutralizesFormulas: neutralizesFormulas)
        }
        output.append(0x0D)
        output.append(0x0A)
    }

    /// A whole document: the byte-order mark (if asked), the header row and the rows.
    public static func document(
        header: [String],
        rows: some Sequence<[String]>,
        delimiter: CSVDelimiter = .comma,
        byteOrderMark: Bool = true
    ) -> [UInt8] {
        var output = byteOrderMark ? utf8ByteOrderMark : []
        appendRow(header, to: &output, delimiter: delimiter)
        for row in rows { appendRow(row, to: &output, delimiter: delimiter) }
        return output
    }

    static func appendCell(_ value: String, to output: inout [UInt8], delimiter: UInt8, neutralizesFormulas: Bool) {
        var value = value
        value.withUTF8 { bytes in
            let neutralized = neutralizesFormulas && bytes.first.map(startsFormula) == true
            // After a neutralizing quote a leading tab is no longer at the start.
            let leadingSpace = !neutralized && bytes.first.map(isSpace) == true
            let needsQuotes = leadingSpace || bytes.last.map(isSpace) == true
                || bytes.contains { $0 == delimiter || $0 == 0x22 || $0 == 0x0D || $0 == 0x0A }
            if needsQuotes { output.append(0x22) }
            if neutralized { output.append(UInt8(ascii: "'")) }
            for byte in bytes {
                if byte == 0x22 { output.append(0x22) }
                output.append(byte)
            }
            if needsQuotes { output.append(0x22) }
        }
    }

    private static func startsFormula(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "=") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@")
            || byte == 0x09 || byte == 0x0D
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
}
