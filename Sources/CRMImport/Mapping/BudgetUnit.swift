/// The unit of bare numbers in a budget column, read from its header ("Budget (Cr)") or set by
/// a reviewer: "1.5" in a crore column is 15,000,000 INR.
public enum BudgetUnit: String, Codable, Sendable, CaseIterable {
    case crore
    case lakh
    case rupee
    case usd
    case aed
    case gbp
    case sgd
    case eur

    /// The ISO 4217 currency of amounts in this unit.
    public var currency: String {
        switch self {
        case .crore, .lakh, .rupee: "INR"
        case .usd: "USD"
        case .aed: "AED"
        case .gbp: "GBP"
        case .sgd: "SGD"
        case .eur: "EUR"
        }
    }

    /// How many whole currency units one unit is.
    public var multiplier: Int64 {
        switch self {
        case .crore: 10_000_000
        case .lakh: 100_000
        default: 1
        }
    }

    /// The unit a header's word or abbreviation names ("cr", "lakhs", "inr", "aed"), if any.
    init?(word: String) {
        switch word {
        case "cr", "crs", "crore", "crores", "cro": self = .crore
        case "l", "lakh", "lakhs", "lac", "lacs", "lk", "lkh", "lacks": self = .lakh
        case "inr", "rs", "rupee", "rupees": self = .rupee
        case "usd", "dollar", "dollars", "us": self = .usd
        case "aed", "dhs", "dirham", "dirhams": self = .aed
        case "gbp", "pound", "pounds": self = .gbp
        case "sgd": self = .sgd
        case "eur", "euro", "euros": self = .eur
        default: return nil
        }
    }

    /// The unit a currency symbol in a header names: ₹, $, £, €.
    init?(symbolIn header: String) {
        for scalar in header.unicodeScalars {
            switch scalar {
            case "₹": self = .rupee; return
            case "$": self = .usd; return
            case "£": self = .gbp; return
            case "€": self = .eur; return
            default: continue
            }
        }
        return nil
    }
}
