import CRMImport
import Testing

/// Phone numbers to E.164: Indian formats, the countries NRI buyers live in, spreadsheet
/// damage, and numbers that cannot be valid.
@Suite("Phone normalizer")
struct PhoneNormalizerTests {
    let india = PhoneNormalizer()

    func e164(_ text: String, _ normalizer: PhoneNormalizer = PhoneNormalizer()) -> String? {
        normalizer.normalize(text).number?.e164
    }

    @Test("Indian mobiles in every usual spelling", arguments: [
        "98765 43210", "9876543210", "09876543210", "+91 98765 43210", "+91-98765-43210", "+919876543210",
        "919876543210", "0091 98765 43210", "+91 (0) 98765 43210", "98765-43210", "(+91) 98765.43210",
        " 98765 43210 ", "'+919876543210", "'9876543210", "9876543210.0", "=\"9876543210\"", "+91 98765\u{00A0}43210",
        "98765–43210",
    ])
    func indianMobiles(text: String) throws {
        let number = try #require(india.normalize(text).number, "\(text)")
        #expect(number.e164 == "+919876543210")
        #expect(number.countryCode == 91)
        #expect(number.region == .india)
        #expect(number.nationalNumber == "9876543210")
        #expect(number.extensionDigits == nil)
    }

    @Test("Indian landlines with their STD code", arguments: [
        ("022 2345 6789", "+912223456789"), ("022-23456789", "+912223456789"), ("(022) 2345-6789", "+912223456789"),
        ("080 4123 4567", "+918041234567"), ("0124 456 7890", "+911244567890"), ("044-2811 2233", "+914428112233"),
        ("+91 22 2345 6789", "+912223456789"), ("0484 236 5478", "+914842365478"),
    ])
    func indianLandlines(text: String, expected: String) {
        #expect(e164(text) == expected)
    }

    @Test("international numbers keep their country code", arguments: [
        ("+971 50 123 4567", "+971501234567", PhoneRegion.uae), ("00971 50 123 4567", "+971501234567", .uae),
        ("+971 050 123 4567", "+971501234567", .uae), ("+971 4 123 4567", "+97141234567", .uae),
        ("+44 7911 123456", "+447911123456", .unitedKingdom), ("0044 7911 123456", "+447911123456", .unitedKingdom),
        ("+44 (0)7911 123456", "+447911123456", .unitedKingdom), ("+44 20 7946 0958", "+442079460958", .unitedKingdom),
        ("+1 (415) 555-0132", "+14155550132", .unitedStates), ("001 415 555 0132", "+14155550132", .unitedStates),
        ("+1 415.555.0132", "+14155550132", .unitedStates), ("+1 647 555 0199", "+16475550199", .canada),
        ("+1 604 555 0188", "+16045550188", .canada), ("+65 9123 4567", "+6591234567", .singapore),
        ("+966 50 123 4567", "+966501234567", .saudiArabia), ("+974 3312 3456", "+97433123456", .qatar),
        ("+968 9123 4567", "+96891234567", .oman), ("+965 6501 2345", "+96565012345", .kuwait),
        ("+973 3600 1234", "+97336001234", .bahrain), ("+852 9123 4567", "+85291234567", .hongKong),
        ("+61 412 345 678", "+61412345678", .australia), ("+61 (0)412 345 678", "+61412345678", .australia),
        ("+64 21 123 4567", "+64211234567", .newZealand), ("+49 151 23456789", "+4915123456789", .germany),
        ("+33 6 12 34 56 78", "+33612345678", .france), ("+31 6 12345678", "+31612345678", .netherlands),
        ("+41 79 123 45 67", "+41791234567", .switzerland), ("+353 87 123 4567", "+353871234567", .ireland),
        ("+27 82 123 4567", "+27821234567", .southAfrica), ("+254 712 345678", "+254712345678", .kenya),
        ("+977 98 0123 4567", "+9779801234567", .nepal), ("+94 77 123 4567", "+94771234567", .sriLanka),
        ("+880 1712 345678", "+8801712345678", .bangladesh), ("+60 12 345 6789", "+60123456789", .malaysia),
        ("+81 90 1234 5678", "+819012345678", .japan), ("+86 138 0013 8000", "+8613800138000", .china),
        ("+39 06 1234 5678", "+390612345678", .italy), ("+230 5712 3456", "+23057123456", .mauritius),
    ])
    func international(text: String, expected: String, region: PhoneRegion) throws {
        let number = try #require(india.normalize(text).number, "\(text)")
        #expect(number.e164 == expected)
        #expect(number.region == region)
        #expect(number.countryCode == region.callingCode)
        #expect("+\(number.countryCode)\(number.nationalNumber)" == expected)
    }

    @Test("NRI numbers whose + was lost still read", arguments: [
        ("971501234567", "+971501234567"), ("447911123456", "+447911123456"), ("14155550132", "+14155550132"),
        ("6591234567", "+916591234567"),
    ])
    func withoutPlus(text: String, expected: String) {
        // Ten digits starting 6–9 are an Indian mobile, whatever else they could be.
        #expect(e164(text) == expected)
    }

    @Test("calling codes outside the table: E.164 length limits only")
    func otherCodes() throws {
        let ukraine = try #require(india.normalize("+380 44 123 4567").number)
        #expect(ukraine.e164 == "+380441234567")
        #expect(ukraine.countryCode == 380)
        #expect(ukraine.region == nil)
        #expect(ukraine.nationalNumber == "441234567")
        #expect(e164("+7 495 123 4567") == "+74951234567")
        #expect(india.normalize("+7 495 123 4567").number?.countryCode == 7)
        #expect(e164("+20 100 123 4567") == "+201001234567")
        #expect(india.normalize("+380 12").number == nil)
    }

    @Test("extensions are kept apart from the number", arguments: [
        ("+1 415 555 0132 ext. 204", "+14155550132", "204"), ("022 2345 6789 x12", "+912223456789", "12"),
        ("+44 20 7946 0958 #7", "+442079460958", "7"), ("+1 415 555 0132 extn 9", "+14155550132", "9"),
    ])
    func extensions(text: String, expected: String, digits: String) throws {
        let number = try #require(india.normalize(text).number)
        #expect(number.e164 == expected)
        #expect(number.extensionDigits == digits)
    }

    @Test("numbers that cannot be valid say why", arguments: [
        ("9.19876543210E+11", "phone_scientific_notation"), ("9.87654321E9", "phone_scientific_notation"),
        ("1.2e10", "phone_scientific_notation"),
        ("12345", "phone_too_short"), ("", "phone_too_short"), ("   ", "phone_too_short"),
        ("2345 6789", "phone_missing_area_code"), ("234 5678", "phone_missing_area_code"),
        ("+91 98765 4321", "phone_too_short"), ("+971 50 123 45", "phone_too_short"), ("+971 70 123 4567", "phone_invalid_number"),
        ("+1 055 555 0132", "phone_invalid_number"), ("+44 12", "phone_too_short"),
        ("98765432100000000", "phone_too_long"), ("+91 98765 43210 98765", "phone_too_long"),
        ("call me", "phone_invalid_characters"), ("98765 43210 after 6pm", "phone_invalid_characters"),
        ("98765+43210", "phone_invalid_characters"), ("1800 123 4567", "phone_not_personal"),
        ("00 123", "phone_too_short"), ("+0 98765 43210", "phone_invalid_number"),
        ("123456789012", "phone_invalid_number"),
    ])
    func invalid(text: String, code: String) {
        switch india.normalize(text) {
        case .valid(let number):
            Issue.record("\(text) read as \(number.e164)")
        case .invalid(let found, let message):
            #expect(found.rawValue == code, "\(text): \(message)")
            #expect(!message.isEmpty)
        }
    }

    @Test("other default regions read their own national numbers", arguments: [
        (PhoneRegion.uae, "050 123 4567", "+971501234567"), (.uae, "04 123 4567", "+97141234567"),
        (.unitedStates, "(415) 555-0132", "+14155550132"), (.unitedStates, "1 415 555 0132", "+14155550132"),
        (.unitedKingdom, "07911 123456", "+447911123456"), (.singapore, "9123 4567", "+6591234567"),
        (.uae, "+91 98765 43210", "+919876543210"), (.unitedStates, "919876543210", "+919876543210"),
        (.australia, "0412 345 678", "+61412345678"), (.canada, "647-555-0199", "+16475550199"),
    ])
    func otherRegions(region: PhoneRegion, text: String, expected: String) {
        #expect(e164(text, PhoneNormalizer(defaultRegion: region)) == expected)
    }

    @Test("a cell with several numbers")
    func several() {
        #expect(india.normalizeAll("98765 43210 / 91234 56789").map { $0.number?.e164 } == ["+919876543210", "+919123456789"])
        #expect(india.normalizeAll("98765 43210, +971 50 123 4567").map { $0.number?.e164 } == ["+919876543210", "+971501234567"])
        #expect(india.normalizeAll("022/23456789").map { $0.number?.e164 } == ["+912223456789"])
        #expect(india.normalizeAll("9876543210;").map { $0.number?.e164 } == ["+919876543210"])
        #expect(india.normalizeAll("9876543210").count == 1)
    }

    @Test("the last seven digits are a blocking key")
    func suffix() throws {
        let number = try #require(india.normalize("+91 98765 43210").number)
        #expect(number.suffix(7) == "6543210")
        #expect(number.suffix() == "6543210")
        #expect(number.suffix(20) == "919876543210")
        #expect(number.suffix(0) == "")
        #expect(try #require(india.normalize("+971 50 123 4567").number).suffix(7) == "1234567")
    }

    @Test("every region's calling code and name")
    func regions() {
        #expect(PhoneRegion.allCases.count >= 20)
        #expect(PhoneRegion.uae.rawValue == "AE")
        #expect(PhoneRegion.uae.countryName == "United Arab Emirates")
        #expect(Set(PhoneRegion.allCases.map(\.rawValue)).count == PhoneRegion.allCases.count)
        for region in PhoneRegion.allCases {
            #expect(region.callingCode > 0 && !region.countryName.isEmpty)
        }
    }
}
