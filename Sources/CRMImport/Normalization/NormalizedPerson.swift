/// The person a row describes, for `crm_people`.
///
/// JSON keys: `full_name`, `first_name`, `last_name`, `salutation`, `primary_phone`, `phones`,
/// `whatsapp`, `primary_email`, `emails`, `city`, `state`, `country`, `country_code`, `address`,
/// `name_key`; nil fields are omitted, `phones` and `emails` are always written.
public struct NormalizedPerson: Codable, Sendable, Equatable {
    public var fullName: String?
    public var firstName: String?
    public var lastName: String?
    public var salutation: String?
    /// E.164; the mobile column's number first, then phone, WhatsApp, alternate.
    public var primaryPhone: String?
    /// Every valid number of the row, E.164, without repeats, primary first.
    public var phones: [String]
    /// The WhatsApp column's number, E.164, when the file has one.
    public var whatsapp: String?
    public var primaryEmail: String?
    /// Every valid address, lower case, without repeats, primary first.
    public var emails: [String]
    public var city: String?
    public var state: String?
    /// The country's English name; from the primary phone's country code when the file has no
    /// country.
    public var country: String?
    /// ISO 3166-1 alpha-2, when the country is one the normalizer knows.
    public var countryCode: String?
    public var address: String?
    /// `PersonNameNormalizer.matchKey` of the full name, for duplicate search.
    public var nameKey: String?

    public init(
        fullName: String? = nil, firstName: String? = nil, lastName: String? = nil, salutation: String? = nil,
        primaryPhone: String? = nil, phones: [String] = [], whatsapp: String? = nil, primaryEmail: String? = nil,
        emails: [String] = [], city: String? = nil, state: String? = nil, country: String? = nil,
        countryCode: String? = nil, address: String? = nil, nameKey: String? = nil
    ) {
        self.fullName = fullName
        self.firstName = firstName
        self.lastName = lastName
        self.salutation = salutation
        self.primaryPhone = primaryPhone
        self.phones = phones
        self.whatsapp = whatsapp
        self.primaryEmail = primaryEmail
        self.emails = emails
        self.city = city
        self.state = state
        self.country = country
        self.countryCode = countryCode
        self.address = address
        self.nameKey = nameKey
    }

    enum CodingKeys: String, CodingKey {
        case fullName = "full_name"
        case firstName = "first_name"
        case lastName = "last_name"
        case salutation
        case primaryPhone = "primary_phone"
        case phones
        case whatsapp
        case primaryEmail = "primary_email"
        case emails
        case city
        case state
        case country
        case countryCode = "country_code"
        case address
        case nameKey = "name_key"
    }
}
