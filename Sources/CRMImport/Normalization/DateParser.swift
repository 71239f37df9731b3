import VelocityTypes

/// Reads the dates CRM exports and hand-made sheets write, into ISO 8601.
///
/// Accepted: ISO dates and date-times ("2026-12-05", "2026-12-05T10:30:00+05:30",
/// "2026-12-05 10:30[:45]"), numeric dates with `/`, `-` or `.` ("05/12/2026", "5-12-26"),
/// read day first when `dayFirst` (India, Zoho, home-made sheets) and month first otherwise
/// (Salesforce and HubSpot US portals) unless the numbers only fit one way round, month names
/// ("05-Dec-2026", "5 December 2026", "Dec 5, 2026", "Mon, 05 Dec 2026"), each optionally
/// followed by a time ("10:30", "10:30:15", "10:30 AM") and a zone ("Z", "+05:30", "UTC",
/// "IST"), and Excel serial day numbers 20000…73050 (1954–2099), which are converted and
/// marked `fromExcelSerial` so the import can flag them. Two-digit years are 20yy below 70,
/// else 19yy. A date-time without a zone is in `defaultUTCOffsetMinutes` (IST by default); the
/// output date-time is UTC.
public struct DateParser: Sendable {
    public var dayFirst: Bool
    /// The UTC offset of date-times written without a zone, in minutes: 330 for IST.
    public var defaultUTCOffsetMinutes: Int

    public init(dayFirst: Bool = true, defaultUTCOffsetMinutes: Int = 330) {
        self.dayFirst = dayFirst
        self.defaultUTCOffsetMinutes = defaultUTCOffsetMinutes
    }

    public func parse(_ text: String) -> DateParseResult {
        if let fields = quickFields(text) { return build(fields, text: text) }
        var text = text
        let tokens = text.withUTF8 { DateToken.tokenize($0) }
        guard let tokens, !tokens.isEmpty else {
            return .failed(.dateUnparseable, "\"\(text)\" is not a date")
        }
        if tokens.count == 1, case .number(let value, let digits) = tokens[0] {
            return serialOrCompact(value: value, digits: digits, text: text)
        }
        if tokens.count == 3, case .number(let whole, _) = tokens[0], case .symbol(UInt8(ascii: ".")) = tokens[1],
            case .number(let fraction, let fractionDigits) = tokens[2], (20_000...73_050).contains(whole)
        {
            let dayFraction = Double(fraction) / pow10(fractionDigits)
            return excelSerial(whole, seconds: Int((dayFraction * 86_400).rounded()))
        }
        var reader = DateTokenReader(tokens: tokens, dayFirst: dayFirst)
        guard let fields = reader.read() else {
            return .failed(.dateUnparseable, "\"\(text)\" is not a date this import reads")
        }
        return build(fields, text: text)
    }

    /// "05/12/2024", "5-12-2024", "2024-12-05", "2024-12-05 10:30[:45]": the shapes most cells
    /// have, read straight from the bytes; nil sends anything else to the tokenizer.
    private func quickFields(_ text: String) -> DateFields? {
        let utf8 = text.utf8
        let count = utf8.count
        guard count >= 8, count <= 19 else { return nil }
        var digits: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)
        var lengths: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)
        var group = 0
        var separator: UInt8 = 0
        var previous: UInt8 = 0
        for byte in utf8 {
            if ASCIIText.isDigit(byte) {
                let value = Int(byte &- UInt8(ascii: "0"))
                switch group {
                case 0:
                    digits.0 = digits.0 * 10 + value
                    lengths.0 += 1
                case 1:
                    digits.1 = digits.1 * 10 + value
                    lengths.1 += 1
                case 2:
                    digits.2 = digits.2 * 10 + value
                    lengths.2 += 1
                case 3:
                    digits.3 = digits.3 * 10 + value
                    lengths.3 += 1
                case 4:
                    digits.4 = digits.4 * 10 + value
                    lengths.4 += 1
                default:
                    digits.5 = digits.5 * 10 + value
                    lengths.5 += 1
                }
            } else {
                guard ASCIIText.isDigit(previous) else { return nil }
                switch group {
                case 0:
                    guard byte == UInt8(ascii: "/") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") else {
                        return nil
                    }
                    separator = byte
                case 1: guard byte == separator else { return nil }
                case 2: guard byte == UInt8(ascii: " ") || byte == UInt8(ascii: "T") else { return nil }
                case 3, 4: guard byte == UInt8(ascii: ":") else { return nil }
                default: return nil
                }
                group += 1
            }
            previous = byte
        }
        guard ASCIIText.isDigit(previous), group == 2 || group == 4 || group == 5 else { return nil }
        var fields: DateFields
        if lengths.0 == 4 && lengths.1 <= 2 && lengths.2 <= 2 && separator == UInt8(ascii: "-") {
            fields = DateFields(year: digits.0, month: digits.1, day: digits.2)
        } else if lengths.0 <= 2 && lengths.1 <= 2 && lengths.2 == 4 {
            let (first, second) = (digits.0, digits.1)
            let dayFirst = first > 12 ? true : second > 12 ? false : self.dayFirst
            fields = DateFields(year: digits.2, month: dayFirst ? second : first, day: dayFirst ? first : second)
        } else {
            return nil
        }
        if group >= 4 {
            guard lengths.3 <= 2, lengths.4 == 2, group == 4 || lengths.5 == 2 else { return nil }
            fields.time = TimeFields(hour: digits.3, minute: digits.4, second: group == 5 ? digits.5 : 0)
        }
        return fields
    }

    private func serialOrCompact(value: Int, digits: Int, text: String) -> DateParseResult {
        if digits == 8 {
            let fields = DateFields(year: value / 10_000, month: value / 100 % 100, day: value % 100)
            return build(fields, text: text)
        }
        guard (20_000...73_050).contains(value) else {
            return .failed(.dateUnparseable, "\"\(text)\" is a number, not a date")
        }
        return excelSerial(value, seconds: nil)
    }

    /// Excel counts days from 1899-12-30 (its 1900 leap-year bug folded in for every date after
    /// February 1900).
    private func excelSerial(_ serial: Int, seconds: Int?) -> DateParseResult {
        let days = CivilCalendar.days(year: 1899, month: 12, day: 30) + serial
        if let seconds, seconds > 0 {
            let utc = days * 86_400 + seconds - defaultUTCOffsetMinutes * 60
            return .parsed(
                ParsedDate(
                    iso: CivilDate.isoDateTime(secondsSinceEpoch: utc), hasTime: true,
                    fromExcelSerial: true))
        }
        return .parsed(ParsedDate(iso: CivilDate.isoDate(daysSinceEpoch: days), hasTime: false, fromExcelSerial: true))
    }

    private func build(_ fields: DateFields, text: String) -> DateParseResult {
        guard (1900...2100).contains(fields.year), (1...12).contains(fields.month),
            (1...CivilCalendar.daysIn(month: fields.month, year: fields.year)).contains(fields.day)
        else {
            return .failed(.dateUnparseable, "\"\(text)\" names a day that does not exist")
        }
        let days = CivilCalendar.days(year: fields.year, month: fields.month, day: fields.day)
        guard let time = fields.time else {
            return .parsed(ParsedDate(iso: CivilDate.isoDate(daysSinceEpoch: days), hasTime: false))
        }
        guard (0...23).contains(time.hour), (0...59).contains(time.minute), (0...60).contains(time.second) else {
            return .failed(.dateUnparseable, "\"\(text)\" has a time that does not exist")
        }
        let offset = time.offsetMinutes ?? defaultUTCOffsetMinutes
        let seconds = days * 86_400 + time.hour * 3_600 + time.minute * 60 + min(time.second, 59) - offset * 60
        return .parsed(ParsedDate(iso: CivilDate.isoDateTime(secondsSinceEpoch: seconds), hasTime: true))
    }

    private func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}
