/// The system a CSV was exported from; it picks the header table tried first.
public enum SourceProfile: String, Codable, Sendable, CaseIterable {
    /// A HubSpot contacts export.
    case hubspot
    /// A Salesforce lead report or data-loader export.
    case salesforce
    /// A Zoho CRM leads export.
    case zoho
    /// A home-made sheet: only the synonym table applies.
    case generic

    /// The profile's own headers, exactly as its exports spell them (keyed by `HeaderKey.compact`).
    var headerRules: [String: HeaderRule] {
        switch self {
        case .hubspot: Self.hubspotRules
        case .salesforce: Self.salesforceRules
        case .zoho: Self.zohoRules
        case .generic: [:]
        }
    }
}
