/// The kind of property a lead is interested in.
public enum PropertyType: String, Codable, Sendable, CaseIterable {
    case apartment
    case villa
    case penthouse
    case plot
    case studio
    case rowHouse = "row_house"
    case duplex
    case independentHouse = "independent_house"
    case farmhouse
    case commercial
}

/// A configuration cell read: a unit configuration ("3 BHK", "1 RK", "3+1 BHK", "2/3 BHK")
/// and/or a property type.
public struct PropertyConfiguration: Sendable, Equatable {
    public var configuration: String?
    public var propertyType: PropertyType?

    public init(configuration: String?, propertyType: PropertyType?) {
        self.configuration = configuration
        self.propertyType = propertyType
    }
}
