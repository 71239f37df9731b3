/// The entity of the client graph a canonical field belongs to; each maps to a canonical table
/// (`crm_people`, `crm_accounts`, `crm_leads`, `crm_property_interests`).
public enum EntityType: String, Codable, Sendable, CaseIterable {
    case person
    case account
    case lead
    case propertyInterest = "property_interest"
}
