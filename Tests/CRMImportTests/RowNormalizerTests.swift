import CRMImport
import Foundation
import Testing

/// RowNormalizer rules on hand-made rows: trimming and placeholders, formulas, several columns
/// per field, countries, budgets from two columns, and the row's JSON.
@Suite("RowNormalizer rules")
struct RowNormalizerTests {
    func normalizer(_ headers: [String], region: PhoneRegion = .india, dayFirst: Bool = true) -> RowNormalizer {
        RowNormalizer(manifest: ColumnMapper().manifest(headers: headers, profile: nil), defaultRegion: region, dayFirst: dayFirst)
    }

    @Test("cells are trimmed; empty cells and placeholders are skipped")
    func placeholders() throws {
        let rows = normalizer(["Name", "Mobile", "Email", "City", "Project"])
        let row = rows.normalize(fields: ["  Priya Nair ", " NA ", "n/a", "-", "None"])
        let person = try #require(row.person)
        #expect(person.fullName == "Priya Nair")
        #expect(person.phones.isEmpty && person.emails.isEmpty && person.city == nil)
        #expect(row.interest == nil)
        #expect(row.issues.isEmpty)
    }

    @Test("a short row reads its missing cells as empty; extra cells are ignored")
    func ragged() {
        let rows = normalizer(["Name", "Mobile", "City"])
        #expect(rows.normalize(fields: ["Priya Nair"]).person?.fullName == "Priya Nair")
        #expect(rows.normalize(fields: ["Priya Nair", "9876543210", "Pune", "extra"]).person?.city == "Pune")
        #expect(rows.normalize(fields: []).issues.map(\.code) == [.noIdentity])
    }

    @Test("formula-like cells are kept as text and flagged; + and - are data")
    func formulas() throws {
        let rows = normalizer(["Name", "Mobile", "Remarks", "Budget (Cr)", "City"])
        let row = rows.normalize(fields: ["@Rahul", "+91 98765 43210", "- called twice", "=1+1", "=A2"])
        #expect(row.issues.map(\.code) == [.formulaLikeValue, .formulaLikeValue, .formulaLikeValue])
        #expect(row.issues.map(\.column) == [0, 3, 4])
        #expect(row.person?.fullName == "@Rahul")
        #expect(row.person?.nameKey == nil)
        #expect(row.person?.primaryPhone == "+919876543210")
        #expect(row.person?.city == "=A2")
        #expect(row.lead?.notes == "- called twice")
        #expect(row.interest == nil, "a formula in a budget cell is not parsed")
        let excel = rows.normalize(fields: ["Rahul", "=\"9876543210\"", "", "", ""])
        #expect(excel.issues.isEmpty)
        #expect(excel.person?.primaryPhone == "+919876543210")
    }

    @Test("several phones: mobile first, duplicates dropped, each invalid one reported, extensions reported")
    func phones() throws {
        let rows = normalizer(["Phone", "Mobile", "WhatsApp", "Alternate Number"])
        let row = rows.normalize(fields: [
            "022 2345 6789 ext 12", "98765 43210 / 91234 56789", "+91 98765 43210", "12345",
        ])
        let person = try #require(row.person)
        #expect(person.phones == ["+919876543210", "+919123456789", "+912223456789"])
        #expect(person.primaryPhone == "+919876543210")
        #expect(person.whatsapp == "+919876543210")
        #expect(row.issues.map(\.code) == [.phoneExtensionDropped, .phoneTooShort])
        #expect(row.issues.map(\.field) == [.phone, .altPhone])
        #expect(row.issues[1].raw == "12345")
    }

    @Test("emails from two columns, without repeats")
    func emails() throws {
        let rows = normalizer(["Email", "Alternate Email"])
        let row = rows.normalize(fields: ["A@x.com; b@x.com", "b@x.com, bad@x"])
        #expect(row.person?.emails == ["a@x.com", "b@x.com"])
        #expect(row.person?.primaryEmail == "a@x.com")
        #expect(row.issues.map(\.code) == [.emailInvalid])
        #expect(row.issues[0].field == .altEmail)
    }

    @Test("notes and address columns are joined")
    func joined() {
        let rows = normalizer(["Name", "Remarks", "Comments", "Address Line 1", "Address Line 2"])
        let row = rows.normalize(fields: ["Priya", "Called", "Wants 3 BHK", "12  MG Road", "Pune"])
        #expect(row.lead?.notes == "Called\nWants 3 BHK")
        #expect(row.person?.address == "12 MG Road, Pune")
    }

    @Test("country: a known name is canonical; an unknown one is kept; none comes from the phone", arguments: [
        ("UAE", "United Arab Emirates", "AE"), ("U.A.E.", "United Arab Emirates", "AE"), ("dubai", "United Arab Emirates", "AE"),
        ("UK", "United Kingdom", "GB"), ("usa", "United States", "US"), ("IN", "India", "IN"), ("KSA", "Saudi Arabia", "SA"),
        ("NARNIA", "Narnia", nil), ("", "Singapore", "SG"),
    ])
    func countries(cell: String, country: String, code: String?) {
        let row = normalizer(["Name", "Mobile", "Country"]).normalize(fields: ["Priya", "+65 9123 4567", cell])
        #expect(row.person?.country == country)
        #expect(row.person?.countryCode == code)
    }

    @Test("city, state, location and project in capitals are title-cased; companies keep their case")
    func displayCase() {
        let rows = normalizer(["Name", "City", "State", "Preferred Location", "Project", "Company", "Designation"])
        let row = rows.normalize(fields: ["Priya", "NEW DELHI", "DELHI NCR", "BKC", "LODHA PARK", "HSBC", "VP  Sales"])
        #expect(row.person?.city == "New Delhi")
        #expect(row.person?.state == "Delhi NCR")
        #expect(row.interest?.location == "BKC")
        #expect(row.interest?.project == "Lodha Park")
        #expect(row.account == NormalizedAccount(name: "HSBC", jobTitle: "VP Sales"))
    }

    @Test("budgets from minimum and maximum columns", arguments: [
        (["1.5", "2"], MoneyRange(min: 15_000_000, max: 20_000_000, currency: "INR")),
        (["1.5", ""], MoneyRange(min: 15_000_000, max: 15_000_000, currency: "INR", isOpenEnded: true)),
        (["", "2"], MoneyRange(min: 0, max: 20_000_000, currency: "INR")),
        (["3", "2"], MoneyRange(min: 20_000_000, max: 30_000_000, currency: "INR")),
    ])
    func minMax(cells: [String], expected: MoneyRange) {
        let rows = normalizer(["Name", "Min Budget (Cr)", "Max Budget (Cr)"])
        #expect(rows.normalize(fields: ["Priya"] + cells).interest?.budget == expected)
    }

    @Test("a budget column wins over min and max; mismatched currencies are reported")
    func budgetColumns() {
        let rows = normalizer(["Name", "Budget", "Min Budget", "Max Budget"])
        #expect(rows.normalize(fields: ["Priya", "2 Cr", "1 Cr", "3 Cr"]).interest?.budget?.min == 20_000_000)
        let mismatch = rows.normalize(fields: ["Priya", "", "$1M", "AED 3M"])
        #expect(mismatch.interest == nil)
        #expect(mismatch.issues.map(\.code) == [.budgetCurrencyMismatch])
        let ambiguous = rows.normalize(fields: ["Priya", "2", "", ""])
        #expect(ambiguous.issues.map(\.code) == [.budgetUnitAmbiguous])
        #expect(ambiguous.issues[0].raw == "2")
    }

    @Test("configuration and property type columns")
    func interest() {
        let rows = normalizer(["Name", "BHK", "Property Type"])
        let row = rows.normalize(fields: ["Priya", "3 BHK", "Villa"])
        #expect(row.interest?.configuration == "3 BHK")
        #expect(row.interest?.propertyType == .villa, "the property type column wins over the configuration's")
        let bad = rows.normalize(fields: ["Priya", "Tower B", "Castle"])
        #expect(bad.issues.map(\.code) == [.configurationUnrecognized, .propertyTypeUnrecognized])
        #expect(bad.interest == nil)
    }

    @Test("dates follow the day-first setting; unreadable dates are reported")
    func dates() {
        #expect(normalizer(["Name", "Date"]).normalize(fields: ["Priya", "05/12/2024"]).lead?.createdAt == "2024-12-05")
        #expect(normalizer(["Name", "Date"], dayFirst: false).normalize(fields: ["Priya", "05/12/2024"]).lead?.createdAt
            == "2024-05-12")
        let bad = normalizer(["Name", "Date"]).normalize(fields: ["Priya", "sometime in May"])
        #expect(bad.issues.map(\.code) == [.dateUnparseable])
        #expect(bad.lead == nil)
    }

    @Test("a UAE office's sheet reads national numbers as UAE numbers")
    func region() {
        let row = normalizer(["Name", "Mobile"], region: .uae).normalize(fields: ["Omar", "050 123 4567"])
        #expect(row.person?.primaryPhone == "+971501234567")
        #expect(row.person?.countryCode == "AE")
    }

    @Test("the row's JSON: snake_case keys, empty entities omitted, round trip")
    func json() throws {
        let rows = normalizer(["Client Name", "Mobile", "Email", "Company", "Budget (Cr)", "Config", "Source", "Date"])
        let row = rows.normalize(fields: ["MR. RAJESH KUMAR", "98765 43210", "bad@", "", "1.5", "3 BHK", "Walk-in", "05/12/2024"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(row)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["person", "lead", "interest", "issues"])
        let person = try #require(object["person"] as? [String: Any])
        #expect(Set(person.keys) == [
            "full_name", "first_name", "last_name", "salutation", "primary_phone", "phones", "emails", "country",
            "country_code", "name_key",
        ])
        let interest = try #require(object["interest"] as? [String: Any])
        #expect(Set(interest.keys) == ["configuration", "property_type", "budget"])
        #expect((interest["budget"] as? [String: Any])?["open_ended"] as? Bool == false)
        let lead = try #require(object["lead"] as? [String: Any])
        #expect(Set(lead.keys) == ["source", "created_at"])
        let issue = try #require((object["issues"] as? [[String: Any]])?.first)
        #expect(Set(issue.keys) == ["column", "field", "code", "message", "raw"])
        #expect(issue["code"] as? String == "email_invalid")
        #expect(try JSONDecoder().decode(NormalizedRow.self, from: data) == row)
    }
}
