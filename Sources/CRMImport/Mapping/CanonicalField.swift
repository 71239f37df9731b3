/// A field an import can fill, named as the platform's canonical tables name it; the raw value
/// is the JSON spelling (`full_name`, `budget_min`…).
public enum CanonicalField: String, Codable, Sendable, CaseIterable {
    // person
    case fullName = "full_name"
    case firstName = "first_name"
    case lastName = "last_name"
    case salutation
    case phone
    case mobile
    case whatsapp
    case altPhone = "alt_phone"
    case email
    case altEmail = "alt_email"
    case city
    case state
    case country
    case address
    // account
    case company
    case jobTitle = "job_title"
    // lead
    case leadSource = "lead_source"
    case leadStatus = "lead_status"
    case leadOwner = "lead_owner"
    case leadCreatedAt = "lead_created_at"
    case notes
    /// The source system's own record id (HubSpot Record ID, Salesforce Lead ID, Zoho Record Id).
    case externalId = "external_id"
    // property interest
    case project
    /// A unit configuration such as "3 BHK".
    case configuration
    case propertyType = "property_type"
    case budget
    case budgetMin = "budget_min"
    case budgetMax = "budget_max"
    case locationPreference = "location_preference"

    /// The entity this field fills.
    public var entity: EntityType {
        switch self {
        case .fullName, .firstName, .lastName, .salutation, .phone, .mobile, .whatsapp, .altPhone, .email,
            .altEmail, .city, .state, .country, .address:
            .person
        case .company, .jobTitle:
            .account
        case .leadSource, .leadStatus, .leadOwner, .leadCreatedAt, .notes, .externalId:
            .lead
        case .project, .configuration, .propertyType, .budget, .budgetMin, .budgetMax, .locationPreference:
            .propertyInterest
        }
    }

    /// Whether several columns may fill this field: their values are joined (notes by line,
    /// address parts by comma). Every other field takes one column at most.
    public var acceptsSeveralColumns: Bool {
        self == .notes || self == .address
    }

    /// A phone-like field: a second column of one of these goes to `alt_phone`.
    public var isPhone: Bool {
        self == .phone || self == .mobile || self == .whatsapp || self == .altPhone
    }

    /// A budget field: the only fields a `BudgetUnit` applies to.
    public var isBudget: Bool {
        self == .budget || self == .budgetMin || self == .budgetMax
    }
}
