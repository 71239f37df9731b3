/// A date or date-time read from a cell.
///
/// JSON (where stored): `{"iso": "2026-12-05", "has_time": false, "from_excel_serial": false}`.
public struct ParsedDate: Codable, Sendable, Hashable {
    /// "yyyy-MM-dd" for a date, "yyyy-MM-ddTHH:mm:ssZ" (UTC) for a date-time.
    public var iso: String
    public var hasTime: Bool
    /// The cell was an Excel serial day number ("45266") and was converted.
    public var fromExcelSerial: Bool

    public init(iso: String, hasTime: Bool, fromExcelSerial: Bool = false) {
        self.iso = iso
        self.hasTime = hasTime
        self.fromExcelSerial = fromExcelSerial
    }

    enum CodingKeys: String, CodingKey {
        case iso
        case hasTime = "has_time"
        case fromExcelSerial = "from_excel_serial"
    }
}

/// What the date parser made of a cell.
public enum DateParseResult: Sendable, Equatable {
    case parsed(ParsedDate)
    case failed(FieldIssueCode, String)

    /// The ISO text, when parsed.
    public var iso: String? {
        if case .parsed(let date) = self { return date.iso }
        return nil
    }
}
