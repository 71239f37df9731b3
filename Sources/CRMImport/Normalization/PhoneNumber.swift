/// A phone number in E.164 form, as the platform matches WhatsApp threads on it.
///
/// JSON: `{"e164": "+919876543210", "country_code": 91, "region": "IN", "national_number":
/// "9876543210", "extension": "204"}` (`region` and `extension` omitted when nil).
public struct PhoneNumber: Codable, Sendable, Hashable {
    /// "+" and up to 15 digits: "+919876543210".
    public var e164: String
    /// The country calling code: 91, 971, 44, 1…
    public var countryCode: Int
    /// The country, when its numbering plan is known; nil for other calling codes.
    public var region: PhoneRegion?
    /// The national significant number, without trunk prefix: "9876543210".
    public var nationalNumber: String
    /// An extension written after the number ("ext 204"); E.164 cannot carry it.
    public var extensionDigits: String?

    public init(
        e164: String, countryCode: Int, region: PhoneRegion?, nationalNumber: String, extensionDigits: String? = nil
    ) {
        self.e164 = e164
        self.countryCode = countryCode
        self.region = region
        self.nationalNumber = nationalNumber
        self.extensionDigits = extensionDigits
    }

    /// The last `count` digits, a blocking key for duplicate search that survives a wrong or
    /// missing country code.
    public func suffix(_ count: Int = 7) -> String {
        String(decoding: e164.utf8.dropFirst().suffix(max(count, 0)), as: UTF8.self)
    }

    enum CodingKeys: String, CodingKey {
        case e164
        case countryCode = "country_code"
        case region
        case nationalNumber = "national_number"
        case extensionDigits = "extension"
    }
}

/// What the phone normalizer made of a cell.
public enum PhoneParseResult: Sendable, Equatable {
    case valid(PhoneNumber)
    /// The number cannot be valid: a code and a message a person can act on. The caller keeps
    /// the raw text.
    case invalid(FieldIssueCode, String)

    /// The number, when valid.
    public var number: PhoneNumber? {
        if case .valid(let number) = self { return number }
        return nil
    }
}
