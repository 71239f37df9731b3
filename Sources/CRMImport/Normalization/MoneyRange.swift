/// A budget as a range of whole currency units (rupees, dollars, dirhams).
///
/// JSON: `{"min": 15000000, "max": 20000000, "currency": "INR", "open_ended": false}`. A single
/// amount is a range whose ends are equal. "Above 5 Cr" is min = max = 5 Cr with `open_ended`
/// true: the real maximum is unknown, and the equal ends keep `min <= max` for every reader.
/// "Up to 2 Cr" is min 0, max 2 Cr.
public struct MoneyRange: Codable, Sendable, Hashable {
    public var min: Int64
    public var max: Int64
    /// ISO 4217: "INR", "USD", "AED", "GBP"…
    public var currency: String
    /// The text gave only a lower bound ("above 5 Cr", "5 Cr+", "5 Cr onwards").
    public var isOpenEnded: Bool

    public init(min: Int64, max: Int64, currency: String, isOpenEnded: Bool = false) {
        self.min = min
        self.max = max
        self.currency = currency
        self.isOpenEnded = isOpenEnded
    }

    enum CodingKeys: String, CodingKey {
        case min, max, currency
        case isOpenEnded = "open_ended"
    }
}

/// What the budget parser made of a cell.
public enum BudgetParseResult: Sendable, Equatable {
    case parsed(MoneyRange)
    case failed(FieldIssueCode, String)

    /// The range, when parsed.
    public var range: MoneyRange? {
        if case .parsed(let range) = self { return range }
        return nil
    }
}
