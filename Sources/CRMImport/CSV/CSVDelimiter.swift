/// The field separator of a CSV file: commas from US exports, semicolons from European Excel
/// (where the comma is the decimal separator), tabs from "text" exports.
public enum CSVDelimiter: String, Sendable, Codable, CaseIterable {
    case comma = ","
    case semicolon = ";"
    case tab = "\t"

    /// The delimiter's ASCII byte.
    public var byte: UInt8 {
        switch self {
        case .comma: UInt8(ascii: ",")
        case .semicolon: UInt8(ascii: ";")
        case .tab: UInt8(ascii: "\t")
        }
    }

    /// The delimiter of the UTF-8 text whose start is `prefix` (only its first 64 KiB are
    /// read): the candidate that splits the header into more than one column and gives the next
    /// records the same column count most consistently; `.comma` when none splits the header.
    public static func detect(_ prefix: some Collection<UInt8>) -> CSVDelimiter {
        let sample = Array(prefix.prefix(CSVDelimiterDetector.windowSize))
        let isWhole = sample.count == prefix.count
        return sample.withUnsafeBufferPointer { CSVDelimiterDetector.detect($0, isComplete: isWhole) } ?? .comma
    }
}
