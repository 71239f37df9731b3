import CRMImport
import Testing

/// Home-made sheets: header synonyms, normalization of header spelling, budget units from
/// headers, keyword guesses, unknown and blank headers, and two columns claiming one field.
@Suite("Header synonyms and conflicts")
struct HeaderSynonymTests {
    let mapper = ColumnMapper()

    @Test("home-made synonyms map at confidence 0.9", arguments: [
        ("Name", CanonicalField.fullName), ("Client Name", .fullName), ("Customer Name", .fullName),
        ("Mobile", .mobile), ("Mobile No.", .mobile), ("Contact No", .phone), ("Contact Number", .phone),
        ("Phone No", .phone), ("WhatsApp", .whatsapp), ("WhatsApp No", .whatsapp), ("Alternate Number", .altPhone),
        ("Email ID", .email), ("E-mail", .email), ("Budget", .budget), ("Budget (Cr)", .budget),
        ("Budget (Lakhs)", .budget), ("Budget in Cr", .budget), ("Project Interested", .project),
        ("Project", .project), ("Interested In", .project), ("Config", .configuration),
        ("Configuration", .configuration), ("BHK", .configuration), ("Unit Type", .configuration),
        ("Property Type", .propertyType), ("Location", .locationPreference),
        ("Preferred Location", .locationPreference), ("Remarks", .notes), ("Comments", .notes),
        ("Source", .leadSource), ("Lead Source", .leadSource), ("Status", .leadStatus), ("Assigned To", .leadOwner),
        ("Sales Person", .leadOwner), ("Date", .leadCreatedAt), ("Enquiry Date", .leadCreatedAt), ("City", .city),
        ("Min Budget", .budgetMin), ("Max Budget (Cr)", .budgetMax), ("Designation", .jobTitle),
    ])
    func synonym(header: String, field: CanonicalField) {
        let manifest = mapper.manifest(headers: [header], profile: nil)
        let column = manifest.columns[0]
        #expect(manifest.sourceProfile == .generic)
        #expect(column.disposition == .mapped)
        #expect(column.field == field)
        #expect(column.confidence == 0.9)
    }

    @Test("case, punctuation and white space do not matter", arguments: [
        "Mobile No.", "mobile no", "MOBILE_NO", "MobileNo", "  Mobile   No  ", "mobile-no", "Mobile/No",
    ])
    func headerSpelling(header: String) {
        #expect(mapper.manifest(headers: [header], profile: nil).columns[0].field == .mobile)
    }

    @Test("budget units come from the header", arguments: [
        ("Budget (Cr)", BudgetUnit.crore), ("Budget in Cr", .crore), ("Budget (Crores)", .crore),
        ("Budget (Lakhs)", .lakh), ("Budget (L)", .lakh), ("Budget in Lacs", .lakh), ("Budget (₹)", .rupee),
        ("Budget INR", .rupee), ("Budget (Rs)", .rupee), ("Budget (USD)", .usd), ("Budget $", .usd),
        ("Budget AED", .aed), ("Price (₹ Cr)", .crore), ("Max Budget (Cr)", .crore), ("Budget (GBP)", .gbp),
    ])
    func units(header: String, unit: BudgetUnit) {
        let column = mapper.manifest(headers: [header], profile: nil).columns[0]
        #expect(column.field?.isBudget == true)
        #expect(column.unit == unit)
        #expect(ColumnMapper.budgetUnit(header: header) == unit)
    }

    @Test("a budget header without a unit has none; other fields never carry one")
    func noUnit() {
        let manifest = mapper.manifest(headers: ["Budget", "Mobile"], profile: nil)
        #expect(manifest.columns.map(\.unit) == [nil, nil])
    }

    @Test("an unknown column is unresolved and holds the batch")
    func unknown() {
        let manifest = mapper.manifest(headers: ["Name", "Mobile", "Favourite Colour"], profile: nil)
        let column = manifest.columns[2]
        #expect(column.disposition == .unresolved)
        #expect(column.field == nil)
        #expect(column.confidence == 0)
        #expect(column.note != nil)
        #expect(manifest.unmappedColumns == ["Favourite Colour"])
        #expect(!manifest.isResolved)
        #expect(manifest.resolverNotes.contains { $0.contains("1 unresolved column") })
    }

    @Test("a header no table knows is guessed from its words, at low confidence")
    func keywordGuess() {
        let manifest = mapper.manifest(
            headers: ["Client Mobile No (Primary)", "Customer E-mail Addr", "Flat Budget Range INR", "Site Notes"],
            profile: nil)
        #expect(manifest.columns.map(\.field) == [.mobile, .email, .budget, .notes])
        #expect(manifest.columns.allSatisfy { $0.confidence == 0.6 && $0.note?.contains("guessed") == true })
        #expect(manifest.columns[2].unit == .rupee)
        #expect(manifest.isResolved)
        #expect(manifest.resolverNotes.contains { $0.contains("keyword guess") })
    }

    @Test("dates of other events are not guessed to be the enquiry date")
    func otherDates() {
        let manifest = mapper.manifest(headers: ["Site Visit Date", "Lead Received On"], profile: nil)
        #expect(manifest.columns[0].disposition == .unresolved)
        #expect(manifest.columns[1].field == .leadCreatedAt)
    }

    @Test("a blank header is ignored with a note; serial-number columns are ignored")
    func blankAndSerial() {
        let manifest = mapper.manifest(headers: ["Name", "", "S.No", "Sr. No."], profile: nil)
        #expect(manifest.columns[1].disposition == .ignored)
        #expect(manifest.columns[1].note?.contains("blank") == true)
        #expect(manifest.columns[2].disposition == .ignored)
        #expect(manifest.columns[3].disposition == .ignored)
        #expect(manifest.isResolved)
    }

    @Test("a second phone column goes to alt_phone, a second email to alt_email")
    func overflow() {
        let manifest = mapper.manifest(headers: ["Name", "Phone", "Phone No", "Email", "E-mail"], profile: nil)
        #expect(manifest.columns.map(\.field) == [.fullName, .phone, .altPhone, .email, .altEmail])
        #expect(manifest.columns[2].note?.contains("second phone") == true)
        #expect(manifest.isResolved)
    }

    @Test("a third phone column with alt_phone taken is unresolved with a note")
    func thirdPhone() {
        let manifest = mapper.manifest(headers: ["Phone", "Phone No", "Alternate Number"], profile: nil)
        #expect(manifest.columns.map(\.field) == [.phone, nil, .altPhone])
        #expect(manifest.columns[1].disposition == .unresolved)
        #expect(manifest.columns[1].note?.contains("phone") == true)
        #expect(manifest.unmappedColumns == ["Phone No"])
    }

    @Test("two columns for one single-valued field: the lower confidence one is unresolved")
    func conflict() {
        let manifest = mapper.manifest(headers: ["Customer City (current)", "City", "Town"], profile: nil)
        #expect(manifest.columns[1].field == .city)
        #expect(manifest.columns[0].disposition == .unresolved)
        #expect(manifest.columns[0].note?.contains("column 1 \"City\"") == true)
        #expect(manifest.columns[2].disposition == .unresolved, "equal confidence: the earlier column wins")
        #expect(manifest.unmappedColumns == ["Customer City (current)", "Town"])
    }

    @Test("several notes or address columns all map")
    func multiValued() {
        let manifest = mapper.manifest(headers: ["Remarks", "Comments", "Address Line 1", "Address Line 2"], profile: nil)
        #expect(manifest.columns.map(\.field) == [.notes, .notes, .address, .address])
        #expect(manifest.isResolved)
    }

    @Test("every canonical field belongs to one entity")
    func entities() {
        #expect(CanonicalField.fullName.entity == .person)
        #expect(CanonicalField.address.entity == .person)
        #expect(CanonicalField.jobTitle.entity == .account)
        #expect(CanonicalField.externalId.entity == .lead)
        #expect(CanonicalField.budgetMax.entity == .propertyInterest)
        #expect(CanonicalField.allCases.count == 29)
        #expect(EntityType.propertyInterest.rawValue == "property_interest")
        #expect(Set(CanonicalField.allCases.map(\.entity)) == Set(EntityType.allCases))
    }
}
