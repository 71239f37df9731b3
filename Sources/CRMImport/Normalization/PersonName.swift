/// A person's name, cleaned: honorific moved to `salutation`, case fixed where the source was
/// all capitals or all lower case, split or joined so full, first and last agree.
///
/// JSON: `{"full_name": "Rahul Sharma", "first_name": "Rahul", "last_name": "Sharma",
/// "salutation": "Mr.", "match_key": "rahul sharma"}` (nil fields omitted).
public struct PersonName: Codable, Sendable, Equatable {
    public var fullName: String?
    public var firstName: String?
    public var lastName: String?
    /// "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Shri", "Smt.", "Sri"…
    public var salutation: String?
    /// For fuzzy matching: lower case, no diacritics, no punctuation, single spaces, no
    /// salutation. Nil when there is no name.
    public var matchKey: String?

    public init(
        fullName: String? = nil, firstName: String? = nil, lastName: String? = nil, salutation: String? = nil,
        matchKey: String? = nil
    ) {
        self.fullName = fullName
        self.firstName = firstName
        self.lastName = lastName
        self.salutation = salutation
        self.matchKey = matchKey
    }

    enum CodingKeys: String, CodingKey {
        case fullName = "full_name"
        case firstName = "first_name"
        case lastName = "last_name"
        case salutation
        case matchKey = "match_key"
    }
}
