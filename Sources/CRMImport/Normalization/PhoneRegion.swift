/// A country whose numbering plan the phone normalizer knows; the raw value is its ISO 3166-1
/// alpha-2 code. Other calling codes still normalize, with only E.164's length limits checked.
public enum PhoneRegion: String, Codable, Sendable, CaseIterable {
    case india = "IN"
    case uae = "AE"
    case unitedKingdom = "GB"
    case unitedStates = "US"
    case canada = "CA"
    case singapore = "SG"
    case saudiArabia = "SA"
    case qatar = "QA"
    case oman = "OM"
    case kuwait = "KW"
    case bahrain = "BH"
    case hongKong = "HK"
    case australia = "AU"
    case newZealand = "NZ"
    case germany = "DE"
    case france = "FR"
    case netherlands = "NL"
    case switzerland = "CH"
    case ireland = "IE"
    case italy = "IT"
    case spain = "ES"
    case southAfrica = "ZA"
    case kenya = "KE"
    case nepal = "NP"
    case sriLanka = "LK"
    case bangladesh = "BD"
    case pakistan = "PK"
    case malaysia = "MY"
    case thailand = "TH"
    case japan = "JP"
    case china = "CN"
    case mauritius = "MU"

    /// The country calling code.
    public var callingCode: Int {
        switch self {
        case .india: 91
        case .uae: 971
        case .unitedKingdom: 44
        case .unitedStates, .canada: 1
        case .singapore: 65
        case .saudiArabia: 966
        case .qatar: 974
        case .oman: 968
        case .kuwait: 965
        case .bahrain: 973
        case .hongKong: 852
        case .australia: 61
        case .newZealand: 64
        case .germany: 49
        case .france: 33
        case .netherlands: 31
        case .switzerland: 41
        case .ireland: 353
        case .italy: 39
        case .spain: 34
        case .southAfrica: 27
        case .kenya: 254
        case .nepal: 977
        case .sriLanka: 94
        case .bangladesh: 880
        case .pakistan: 92
        case .malaysia: 60
        case .thailand: 66
        case .japan: 81
        case .china: 86
        case .mauritius: 230
        }
    }

    /// The country's name in English, as a person's `country` is written.
    public var countryName: String {
        switch self {
        case .india: "India"
        case .uae: "United Arab Emirates"
        case .unitedKingdom: "United Kingdom"
        case .unitedStates: "United States"
        case .canada: "Canada"
        case .singapore: "Singapore"
        case .saudiArabia: "Saudi Arabia"
        case .qatar: "Qatar"
        case .oman: "Oman"
        case .kuwait: "Kuwait"
        case .bahrain: "Bahrain"
        case .hongKong: "Hong Kong"
        case .australia: "Australia"
        case .newZealand: "New Zealand"
        case .germany: "Germany"
        case .france: "France"
        case .netherlands: "Netherlands"
        case .switzerland: "Switzerland"
        case .ireland: "Ireland"
        case .italy: "Italy"
        case .spain: "Spain"
        case .southAfrica: "South Africa"
        case .kenya: "Kenya"
        case .nepal: "Nepal"
        case .sriLanka: "Sri Lanka"
        case .bangladesh: "Bangladesh"
        case .pakistan: "Pakistan"
        case .malaysia: "Malaysia"
        case .thailand: "Thailand"
        case .japan: "Japan"
        case .china: "China"
        case .mauritius: "Mauritius"
        }
    }

    /// Whether national numbers are dialled with a leading 0 that E.164 drops ("0 98765 43210",
    /// "+44 (0)7911 123456").
    var hasTrunkZero: Bool {
        switch self {
        case .unitedStates, .canada, .singapore, .qatar, .oman, .kuwait, .bahrain, .hongKong, .italy, .spain,
            .mauritius:
            false
        default:
            true
        }
    }

    /// Whether a national significant number (digits as ASCII bytes, trunk prefix removed) fits
    /// the country's plan: its lengths and, where they tell numbers apart, its leading digits.
    func accepts(_ nsn: UnsafeBufferPointer<UInt8>) -> Bool {
        // Italian numbers keep their leading 0 in E.164; everywhere else a 0 is a trunk prefix.
        guard let firstByte = nsn.first, firstByte != UInt8(ascii: "0") || self == .italy else { return false }
        let first = firstByte &- UInt8(ascii: "0")
        let count = nsn.count
        switch self {
        case .india:
            return count == 10
        case .uae:
            switch count {
            case 9: return first == 5 || first == 6
            case 8: return first >= 2 && first != 5 && first != 8
            default: return false
            }
        case .unitedKingdom:
            return count == 10 || (count == 9 && first == 1)
        case .unitedStates, .canada:
            return count == 10 && first >= 2 && nsn[3] >= UInt8(ascii: "2")
        case .singapore:
            return count == 8 && (first == 3 || first == 6 || first == 8 || first == 9)
        case .saudiArabia:
            return (count == 9 && first == 5) || (count == 8 && first == 1)
        case .qatar, .oman, .kuwait, .bahrain, .hongKong:
            return count == 8
        case .australia:
            return count == 9
        case .newZealand:
            return (8...10).contains(count)
        case .germany:
            return (6...13).contains(count)
        case .france, .netherlands, .switzerland, .spain, .southAfrica, .kenya, .sriLanka:
            return count == 9
        case .ireland:
            return (7...9).contains(count)
        case .italy:
            return (6...11).contains(count)
        case .nepal, .bangladesh:
            return (8...10).contains(count)
        case .pakistan:
            return count == 10 || count == 9
        case .malaysia:
            return count == 9 || count == 10
        case .thailand:
            return count == 8 || count == 9
        case .japan:
            return count == 9 || count == 10
        case .china:
            return (9...11).contains(count)
        case .mauritius:
            return count == 7 || count == 8
        }
    }

    /// The lengths national numbers have.
    var nationalLengths: ClosedRange<Int> {
        switch self {
        case .india, .unitedStates, .canada: 10...10
        case .uae, .saudiArabia, .thailand: 8...9
        case .unitedKingdom, .pakistan, .malaysia, .japan: 9...10
        case .singapore, .qatar, .oman, .kuwait, .bahrain, .hongKong: 8...8
        case .australia, .france, .netherlands, .switzerland, .spain, .southAfrica, .kenya, .sriLanka: 9...9
        case .newZealand, .nepal, .bangladesh: 8...10
        case .germany: 6...13
        case .ireland: 7...9
        case .italy: 6...11
        case .china: 9...11
        case .mauritius: 7...8
        }
    }

    /// The lengths of national numbers, for messages: "10 digits", "8 or 9 digits".
    var lengthsDescription: String {
        let lengths = nationalLengths
        switch lengths.count {
        case 1: return "\(lengths.lowerBound) digits"
        case 2: return "\(lengths.lowerBound) or \(lengths.upperBound) digits"
        default: return "\(lengths.lowerBound) to \(lengths.upperBound) digits"
        }
    }
}
