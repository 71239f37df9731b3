/// What a row's person wants to buy, for `crm_property_interests`.
///
/// JSON keys: `project`, `configuration`, `property_type`, `budget` (a `MoneyRange`), `location`.
public struct NormalizedInterest: Codable, Sendable, Equatable {
    public var project: String?
    /// "3 BHK", "1 RK", "3+1 BHK", "2/3 BHK".
    public var configuration: String?
    public var propertyType: PropertyType?
    public var budget: MoneyRange?
    /// The preferred location or micro-market.
    public var location: String?

    public init(
        project: String? = nil, configuration: String? = nil, propertyType: PropertyType? = nil,
        budget: MoneyRange? = nil, location: String? = nil
    ) {
        self.project = project
        self.configuration = configuration
        self.propertyType = propertyType
        self.budget = budget
        self.location = location
    }

    enum CodingKeys: String, CodingKey {
        case project, configuration
        case propertyType = "property_type"
        case budget, location
    }
}
