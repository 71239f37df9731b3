import CRMImport
import Foundation
import Testing

/// Column mapping: profile detection, each profile's header table, the synonyms of home-made
/// sheets, conflicts and the manifest's JSON.
@Suite("Column mapping")
struct MappingTests {
    let mapper = ColumnMapper()

    func mapping(_ manifest: MappingManifest, _ header: String) throws -> ColumnMapping {
        try #require(manifest.columns.first { $0.header == header })
    }

    @Test(
        "each fixture's profile is detected and every column is mapped or deliberately ignored",
        arguments: [
            ("hubspot_contacts.csv", SourceProfile.hubspot), ("salesforce_leads.csv", .salesforce),
            ("zoho_leads.csv", .zoho), ("homemade_leads.csv", .generic),
        ])
    func fixtures(file: String, profile: SourceProfile) throws {
        let csv = try FixtureCSV.load(file)
        let manifest = mapper.manifest(headers: csv.header, profile: nil)
        #expect(manifest.sourceProfile == profile)
        #expect(manifest.isResolved)
        #expect(manifest.unmappedColumns.isEmpty)
        #expect(manifest.columns.map(\.index) == Array(csv.header.indices))
        #expect(manifest.columns.map(\.header) == csv.header)
        for column in manifest.columns {
            switch column.disposition {
            case .mapped:
                #expect(column.field != nil, "\(column.header)")
                #expect(column.confidence >= 0.9, "\(column.header)")
            case .ignored:
                #expect(column.field == nil && column.note != nil, "\(column.header)")
            case .unresolved:
                Issue.record("\(column.header) is unresolved")
            }
        }
        #expect(SourceProfile.detect(headers: csv.header) == profile)
    }

    @Test("HubSpot: its own headers at confidence 1, Lifecycle Stage yields to Lead Status, analytics ignored")
    func hubspot() throws {
        let manifest = mapper.manifest(headers: try FixtureCSV.load("hubspot_contacts.csv").header, profile: nil)
        let expected: [(String, CanonicalField)] = [
            ("Record ID", .externalId), ("First Name", .firstName), ("Last Name", .lastName), ("Email", .email),
            ("Phone Number", .phone), ("Mobile Phone Number", .mobile), ("WhatsApp Phone Number", .whatsapp),
            ("Company Name", .company), ("Job Title", .jobTitle), ("City", .city), ("State/Region", .state),
            ("Country/Region", .country), ("Lead Status", .leadStatus), ("Contact owner", .leadOwner),
            ("Create Date", .leadCreatedAt), ("Original Source", .leadSource), ("Message", .notes),
        ]
        for (header, field) in expected {
            let column = try mapping(manifest, header)
            #expect(column.disposition == .mapped && column.field == field && column.confidence == 1.0, "\(header)")
        }
        #expect(try mapping(manifest, "Budget").field == .budget)
        #expect(try mapping(manifest, "Budget").confidence == 0.9)
        let lifecycle = try mapping(manifest, "Lifecycle Stage")
        #expect(lifecycle.disposition == .ignored)
        #expect(lifecycle.note?.contains("Lead Status") == true)
        #expect(try mapping(manifest, "Last Activity Date").disposition == .ignored)
        #expect(try mapping(manifest, "Number of Pageviews").disposition == .ignored)
        #expect(manifest.resolverNotes.first?.contains("hubspot") == true)
    }

    @Test("HubSpot without Lead Status: Lifecycle Stage fills the lead status")
    func hubspotFallback() {
        let manifest = mapper.manifest(headers: ["Record ID", "Email", "Lifecycle Stage"], profile: nil)
        #expect(manifest.sourceProfile == .hubspot)
        #expect(manifest.columns[2].field == .leadStatus)
    }

    @Test("Salesforce: report labels, the budget column's crore unit, bookkeeping ignored")
    func salesforce() throws {
        let manifest = mapper.manifest(headers: try FixtureCSV.load("salesforce_leads.csv").header, profile: nil)
        let expected: [(String, CanonicalField)] = [
            ("Lead ID", .externalId), ("Salutation", .salutation), ("Title", .jobTitle),
            ("Company / Account", .company), ("Phone", .phone), ("Mobile", .mobile), ("Street", .address),
            ("State/Province", .state), ("Lead Source", .leadSource), ("Lead Status", .leadStatus),
            ("Lead Owner", .leadOwner), ("Created Date", .leadCreatedAt), ("Description", .notes),
        ]
        for (header, field) in expected {
            #expect(try mapping(manifest, header).field == field, "\(header)")
        }
        let budget = try mapping(manifest, "Budget (Cr)")
        #expect(budget.field == .budget && budget.unit == .crore)
        for header in ["Zip/Postal Code", "Rating", "Last Activity"] {
            #expect(try mapping(manifest, header).disposition == .ignored, "\(header)")
        }
    }

    @Test("Salesforce data-loader API names are detected and mapped")
    func salesforceAPINames() {
        let headers = ["Id", "FirstName", "LastName", "Company", "MobilePhone", "Email", "LeadSource", "Status",
            "OwnerId", "CreatedDate", "IsConverted"]
        let manifest = mapper.manifest(headers: headers, profile: nil)
        #expect(manifest.sourceProfile == .salesforce)
        #expect(manifest.columns.map(\.field) == [
            .externalId, .firstName, .lastName, .company, .mobile, .email, .leadSource, .leadStatus, .leadOwner,
            .leadCreatedAt, nil,
        ])
        #expect(manifest.columns[10].disposition == .ignored)
    }

    @Test("profile fingerprints", arguments: [
        (["Record ID", "First Name", "Lifecycle Stage"], SourceProfile.hubspot),
        (["Email", "HubSpot Score"], .hubspot),
        (["Lead ID", "Last Name"], .salesforce),
        (["Lead Owner", "Company", "Last Name"], .salesforce),
        (["Record Id", "Lead Owner", "Designation"], .zoho),
        (["Record Id", "Contact Owner", "Created Time"], .zoho),
        (["Name", "Mobile", "Budget"], .generic),
        (["Record ID", "Email"], .generic),
    ])
    func detection(headers: [String], profile: SourceProfile) {
        #expect(SourceProfile.detect(headers: headers) == profile)
    }

    @Test("Zoho: secondary email to alt_email, Designation to job_title, bookkeeping ignored")
    func zoho() throws {
        let manifest = mapper.manifest(headers: try FixtureCSV.load("zoho_leads.csv").header, profile: nil)
        #expect(try mapping(manifest, "Secondary Email").field == .altEmail)
        #expect(try mapping(manifest, "Designation").field == .jobTitle)
        #expect(try mapping(manifest, "Created Time").field == .leadCreatedAt)
        #expect(try mapping(manifest, "Record Id").field == .externalId)
        for header in ["Industry", "Zip Code", "Modified Time", "Email Opt Out", "Tag"] {
            #expect(try mapping(manifest, header).disposition == .ignored, "\(header)")
        }
    }

    @Test("a profile given by the caller is used as given")
    func givenProfile() {
        #expect(mapper.manifest(headers: ["Title"], profile: .salesforce).columns[0].field == .jobTitle)
        let generic = mapper.manifest(headers: ["Title"], profile: .generic)
        #expect(generic.columns[0].disposition == .unresolved)
        #expect(generic.sourceProfile == .generic)
        #expect(generic.resolverNotes.first == "profile generic given by the caller")
    }
}
