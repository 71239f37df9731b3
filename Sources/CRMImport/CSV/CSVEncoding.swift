/// The byte encoding of a CSV upload, as the shape scanner detects it and the parser reads it.
///
/// CRM exports arrive as UTF-8 (with or without a byte-order mark), as UTF-16 from Excel's
/// "Unicode text" and as Windows-1252 from older Excel and home-made sheets.
public enum CSVEncoding: String, Sendable, Codable, CaseIterable {
    case utf8 = "utf-8"
    case utf8BOM = "utf-8-bom"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case windows1252 = "windows-1252"

    /// The byte-order mark that announces this encoding at the start of a file; empty for none.
    public var byteOrderMark: [UInt8] {
        switch self {
        case .utf8BOM: [0xEF, 0xBB, 0xBF]
        case .utf16LE: [0xFF, 0xFE]
        case .utf16BE: [0xFE, 0xFF]
        case .utf8, .windows1252: []
        }
    }

    /// Whether an ASCII byte always means that ASCII character, so that delimiters, quotes and
    /// line breaks can be found on the raw bytes.
    public var isASCIICompatible: Bool {
        switch self {
        case .utf8, .utf8BOM, .windows1252: true
        case .utf16LE, .utf16BE: false
        }
    }

    /// The encoding of a whole file held in memory: a byte-order mark decides (UTF-16 is only
    /// recognized with one); otherwise UTF-8 when every byte sequence is valid UTF-8, else
    /// Windows-1252. `CSVShapeScanner` makes the same decision on a stream.
    public static func detect(_ bytes: some Collection<UInt8>) -> CSVEncoding {
        let head = Array(bytes.prefix(3))
        if let encoding = fromByteOrderMark(head) { return encoding }
        var validator = CSVUTF8Validator()
        var offsets: [Int64] = []
        let contiguous: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            validator.validate(buffer, into: &offsets)
        }
        if contiguous == nil {
            Array(bytes).withUnsafeBufferPointer { validator.validate($0, into: &offsets) }
        }
        validator.finish(into: &offsets)
        return validator.errorCount == 0 ? .utf8 : .windows1252
    }

    /// The encoding announced by the byte-order mark at the start of `prefix`, if any.
    static func fromByteOrderMark(_ prefix: [UInt8]) -> CSVEncoding? {
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { return .utf8BOM }
        if prefix.starts(with: [0xFF, 0xFE]) { return .utf16LE }
        if prefix.starts(with: [0xFE, 0xFF]) { return .utf16BE }
        return nil
    }
}
