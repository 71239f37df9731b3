import CRMImport
import Testing

/// RowNormalizer on the rows of each fixture, mapped with its detected profile.
@Suite("RowNormalizer on the fixtures")
struct RowNormalizerFixtureTests {
    struct Loaded {
        let manifest: MappingManifest
        let rows: [NormalizedRow]
    }

    /// Salesforce and HubSpot US portals write month first; Zoho and home-made sheets in India
    /// write day first.
    static func load(_ file: String) throws -> Loaded {
        let csv = try FixtureCSV.load(file)
        let manifest = ColumnMapper().manifest(headers: csv.header, profile: nil)
        let dayFirst = manifest.sourceProfile != .salesforce && manifest.sourceProfile != .hubspot
        let normalizer = RowNormalizer(manifest: manifest, defaultRegion: .india, dayFirst: dayFirst)
        return Loaded(manifest: manifest, rows: csv.rows.map { normalizer.normalize(fields: $0) })
    }

    func codes(_ row: NormalizedRow) -> [String] { row.issues.map(\.code.rawValue) }

    @Test("HubSpot contacts")
    func hubspot() throws {
        let rows = try Self.load("hubspot_contacts.csv").rows
        #expect(rows.count == 24)
        let rahul = try #require(rows[0].person)
        #expect(rahul.fullName == "Rahul Sharma" && rahul.firstName == "Rahul" && rahul.lastName == "Sharma")
        #expect(rahul.primaryPhone == "+919876543210")
        #expect(rahul.phones == ["+919876543210"])
        #expect(rahul.whatsapp == "+919876543210")
        #expect(rahul.primaryEmail == "rahul.sharma@gmail.com")
        #expect(rahul.city == "Bengaluru" && rahul.state == "Karnataka")
        #expect(rahul.country == "India" && rahul.countryCode == "IN")
        #expect(rahul.nameKey == "rahul sharma")
        #expect(rows[0].account == NormalizedAccount(name: "Infosys", jobTitle: "Senior Manager"))
        #expect(
            rows[0].lead
                == NormalizedLead(
                    source: "Organic Search", status: "New", owner: "Priya Nair", createdAt: "2024-11-03T08:52:00Z",
                    notes: "Looking for a golf-facing unit, ready by 2026", externalId: "51234501"))
        #expect(
            rows[0].interest
                == NormalizedInterest(
                    project: "Prestige Golfshire", configuration: "3 BHK", propertyType: .apartment,
                    budget: MoneyRange(min: 15_000_000, max: 15_000_000, currency: "INR")))
        #expect(rows[0].issues.isEmpty)

        let james = try #require(rows[2].person)
        #expect(james.phones == ["+447911123456", "+442079460958"], "mobile first, then the phone column")
        #expect(james.country == "United Kingdom" && james.countryCode == "GB")
        #expect(
            rows[2].lead?.notes
                == "Wants a Gurugram penthouse for his parents\nVisiting India in January, call after 6 pm UK time")
        #expect(rows[2].interest?.budget == MoneyRange(min: 900_000, max: 900_000, currency: "GBP"))
        #expect(rows[2].interest?.propertyType == .penthouse)
        #expect(rows[2].interest?.configuration == nil)

        #expect(rows[1].interest?.budget?.currency == "AED")
        #expect(rows[4].person?.phones == ["+14155550132"])
        #expect(rows[4].interest?.propertyType == .villa)
        #expect(rows[8].interest?.budget == MoneyRange(min: 50_000_000, max: 50_000_000, currency: "INR", isOpenEnded: true))
        #expect(rows[13].person?.countryCode == "CA")
        #expect(rows[15].person?.nameKey == "hans muller")

        // The spreadsheet-damaged number is reported, not converted; the email still identifies her.
        let nikhil = rows[23]
        #expect(codes(nikhil) == ["phone_scientific_notation"])
        #expect(nikhil.issues[0].raw == "9.19876543211E+11")
        #expect(nikhil.issues[0].column == 5)
        #expect(nikhil.issues[0].field == .mobile)
        #expect(nikhil.person?.phones == [])
        #expect(nikhil.person?.primaryEmail == "nikhil.verma@infosys.com")
        #expect(rows.dropLast().allSatisfy { $0.issues.isEmpty })
    }

    @Test(
        "in-file duplicates normalize to the same phone, email and name key",
        arguments: [
            ("hubspot_contacts.csv", 0, 6), ("hubspot_contacts.csv", 1, 20), ("salesforce_leads.csv", 0, 8),
            ("zoho_leads.csv", 0, 9), ("homemade_leads.csv", 0, 6),
        ])
    func duplicates(file: String, first: Int, second: Int) throws {
        let rows = try Self.load(file).rows
        let one = try #require(rows[first].person)
        let two = try #require(rows[second].person)
        #expect(one.primaryPhone != nil)
        #expect(one.primaryPhone == two.primaryPhone)
        #expect(one.primaryEmail == two.primaryEmail)
        #expect(one.nameKey == two.nameKey)
    }

    @Test("Salesforce leads: month-first dates, crore budget column, salutations, landlines")
    func salesforce() throws {
        let rows = try Self.load("salesforce_leads.csv").rows
        #expect(rows.count == 22)
        #expect(rows.allSatisfy { $0.issues.isEmpty && $0.person != nil })
        let rajiv = try #require(rows[0].person)
        #expect(rajiv.salutation == "Mr.")
        #expect(rajiv.phones == ["+919845012345", "+918041234567"])
        #expect(rajiv.address == "12, MG Road")
        #expect(rows[0].lead?.createdAt == "2024-11-05")
        #expect(rows[0].lead?.externalId == "00Q5g00000AbC01")
        #expect(rows[0].lead?.status == "Open - Not Contacted")
        #expect(rows[0].interest?.budget == MoneyRange(min: 25_000_000, max: 25_000_000, currency: "INR"))
        #expect(rows[0].account?.name == "Malhotra Exports Pvt Ltd")
        #expect(rows[2].person?.phones == ["+971559876543", "+97141234567"])
        #expect(rows[2].lead?.notes == "\"Interested in two units, one for investment\"; call on WhatsApp")
        #expect(rows[3].person?.fullName == "Anil D'Souza" && rows[3].person?.salutation == "Dr.")
        #expect(rows[4].lead?.notes?.contains("\n") == true)
        #expect(rows[8].person?.primaryEmail == "rajiv@malhotraexports.in")
        #expect(rows[10].interest?.budget?.max == 100_000_000)
        #expect(rows[13].account == NormalizedAccount(name: nil, jobTitle: "Retired"))
        #expect(rows[20].person?.phones == ["+819012345678"])
        #expect(rows[20].person?.country == "India", "the country column wins over the phone's country")
    }

    @Test("Zoho leads: secondary email, day-first date-times, particles")
    func zoho() throws {
        let rows = try Self.load("zoho_leads.csv").rows
        #expect(rows.count == 21)
        #expect(rows.allSatisfy { $0.issues.isEmpty && $0.person != nil })
        let suresh = try #require(rows[0].person)
        #expect(suresh.emails == ["suresh.nair@nairlogistics.in", "suresh.nair@gmail.com"])
        #expect(suresh.phones == ["+919447012345", "+914842365478"])
        #expect(rows[0].lead?.createdAt == "2024-11-05T04:52:00Z")
        #expect(rows[0].lead?.externalId == "zcrm_4876876000001234001")
        #expect(rows[2].person?.country == "United Arab Emirates")
        #expect(rows[2].interest?.budget == MoneyRange(min: 5_000_000, max: 5_000_000, currency: "AED"))
        #expect(rows[4].person?.lastName == "van der Berg")
        #expect(rows[4].person?.phones == ["+31612345678"])
        #expect(rows[7].lead?.notes == "Wants ground floor\nfor elderly parents")
        #expect(rows[7].interest?.budget == MoneyRange(min: 8_000_000, max: 12_000_000, currency: "INR"))
        #expect(rows[15].person?.phones == ["+8613800138000"])
        #expect(rows[17].person?.phones == ["+912266525000"])
        #expect(rows[17].interest?.budget?.isOpenEnded == true)
        #expect(rows[18].interest?.budget?.currency == "SGD")
    }

    @Test("the home-made sheet: honorifics, crore column, Excel damage, a formula, a blank row")
    func homemade() throws {
        let rows = try Self.load("homemade_leads.csv").rows
        #expect(rows.count == 26)
        let rajesh = try #require(rows[0].person)
        #expect(rajesh.fullName == "Rajesh Kumar" && rajesh.salutation == "Mr.")
        #expect(rajesh.phones == ["+919876543210"] && rajesh.whatsapp == "+919876543210")
        #expect(rajesh.country == "India", "from the phone: the sheet has no country column")
        #expect(
            rows[0].interest
                == NormalizedInterest(
                    project: "Lodha Park", configuration: "3 BHK", propertyType: .apartment,
                    budget: MoneyRange(min: 15_000_000, max: 15_000_000, currency: "INR"), location: "Worli"))
        #expect(
            rows[0].lead
                == NormalizedLead(
                    source: "Site Visit", createdAt: "2024-12-05", notes: "Visited on Sunday, liked the sample flat"))
        #expect(rows[1].person?.salutation == "Smt." && rows[1].person?.fullName == "Sunita Devi")
        #expect(rows[1].interest?.budget?.min == 8_500_000)
        #expect(rows[2].interest?.budget == MoneyRange(min: 20_000_000, max: 25_000_000, currency: "INR"))
        #expect(rows[2].lead?.createdAt == "2024-12-07")
        #expect(rows[3].person?.countryCode == "AE")
        #expect(rows[4].person?.fullName == "John McDonald")
        #expect(rows[4].person?.phones == ["+447911123457"])
        #expect(rows[4].interest?.budget == MoneyRange(min: 8_000_000, max: 12_000_000, currency: "INR"))
        #expect(rows[5].person?.phones == ["+14155550133"])
        #expect(rows[5].interest?.project == "DLF The Camellias")
        #expect(rows[5].interest?.budget?.isOpenEnded == true)
        #expect(rows[7].person?.emails == ["amit.shroff@gmail.com", "amit@shrofftextiles.com"])
        #expect(codes(rows[7]) == ["date_from_excel_serial"])
        #expect(rows[7].lead?.createdAt == "2024-12-10")
        #expect(codes(rows[8]) == ["phone_scientific_notation"])
        let formula = rows[9]
        #expect(codes(formula) == ["formula_like_value"])
        #expect(formula.issues[0].field == .fullName && formula.issues[0].column == 0)
        #expect(formula.person?.fullName == #"=HYPERLINK("https://crm.example/lead/88","Vivek Anand")"#)
        #expect(formula.person?.nameKey == nil)
        #expect(formula.person?.primaryPhone == "+919811122233")
        #expect(rows[10].person?.primaryPhone == "+919845678901", "leading apostrophe stripped")
        #expect(rows[11].person?.primaryPhone == "+919876500011", "trailing .0 stripped")
        #expect(rows[12].person?.salutation == "Shri" && rows[12].person?.emails == [])
        #expect(rows[12].interest?.configuration == "2.5 BHK")
        #expect(rows[13].interest?.configuration == "3+1 BHK")
        #expect(rows[13].lead?.notes == "Met at the Singapore expo\nFollow up in Jan, prefers video calls")
        #expect(rows[15].person?.countryCode == "CA")
        #expect(codes(rows[16]) == ["email_invalid"])
        #expect(rows[16].issues[0].raw == "nisha.kapoor@gmail")
        #expect(rows[17].interest?.propertyType == .duplex)
        #expect(rows[18].person?.phones == ["+914428119999", "+919840098400"])
        #expect(rows[18].interest?.configuration == "1 RK")
        #expect(rows[19].interest?.propertyType == .studio)
        #expect(codes(rows[20]) == ["phone_too_short"])
        #expect(rows[20].person?.fullName == "Ritu Saxena", "a name alone still identifies a person")
        #expect(rows[20].interest?.propertyType == .rowHouse)
        #expect(codes(rows[21]) == ["budget_unparseable"])
        #expect(rows[21].interest?.budget == nil && rows[21].interest?.propertyType == .villa)
        #expect(rows[23].interest?.budget == MoneyRange(min: 50_000_000, max: 60_000_000, currency: "INR"))
        let blank = rows[24]
        #expect(blank.person == nil)
        #expect(codes(blank) == ["no_identity"])
        #expect(blank.issues[0].column == nil && blank.issues[0].field == nil)
        #expect(blank.lead?.notes == "Blank enquiry from the form")
        #expect(rows[25].person?.countryCode == "QA")
    }

    @Test(
        "identityKeys finds exactly the phones and emails that normalize does",
        arguments: ["hubspot_contacts.csv", "salesforce_leads.csv", "zoho_leads.csv", "homemade_leads.csv"])
    func identityKeysMatchNormalize(_ file: String) throws {
        let csv = try FixtureCSV.load(file)
        let manifest = ColumnMapper().manifest(headers: csv.header, profile: nil)
        let normalizer = RowNormalizer(manifest: manifest, defaultRegion: .india)
        var withKeys = 0
        for (index, fields) in csv.rows.enumerated() {
            let person = normalizer.normalize(fields: fields).person
            let expected = (person?.phones ?? []).map { "p:" + $0 } + (person?.emails ?? []).map { "e:" + $0 }
            #expect(normalizer.identityKeys(fields: fields) == expected, "\(file) row \(index + 1)")
            if !expected.isEmpty { withKeys += 1 }
        }
        #expect(withKeys > csv.rows.count / 2, "the fixture has rows with phones and emails to compare")
    }
}
