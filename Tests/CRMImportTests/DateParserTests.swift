import CRMImport
import Testing

/// Dates and date-times to ISO 8601, day-first or month-first, with zones and Excel serials.
@Suite("Date parser")
struct DateParserTests {
    let dayFirst = DateParser()
    let monthFirst = DateParser(dayFirst: false)

    @Test("dates, day first", arguments: [
        ("2024-12-05", "2024-12-05"), ("05/12/2024", "2024-12-05"), ("05-12-2024", "2024-12-05"),
        ("5/12/24", "2024-12-05"), ("05.12.2024", "2024-12-05"), ("2024/12/05", "2024-12-05"),
        ("05-Dec-2024", "2024-12-05"), ("05 Dec 2024", "2024-12-05"), ("5 December 2024", "2024-12-05"),
        ("Dec 5, 2024", "2024-12-05"), ("December 05 2024", "2024-12-05"), ("Thu, 05 Dec 2024", "2024-12-05"),
        ("05Dec2024", "2024-12-05"), ("5-dec-24", "2024-12-05"), ("12/25/2024", "2024-12-25"),
        ("20241205", "2024-12-05"), ("29/02/2024", "2024-02-29"), ("01/01/99", "1999-01-01"),
        ("2024-Dec-05", "2024-12-05"),
    ])
    func datesDayFirst(text: String, expected: String) throws {
        let date = try #require(parsed(dayFirst.parse(text)), "\(text)")
        #expect(date.iso == expected)
        #expect(!date.hasTime)
        #expect(!date.fromExcelSerial)
    }

    @Test("dates, month first (Salesforce, HubSpot US)", arguments: [
        ("12/05/2024", "2024-12-05"), ("11/5/2024", "2024-11-05"), ("25/12/2024", "2024-12-25"),
        ("2024-12-05", "2024-12-05"), ("05-Dec-2024", "2024-12-05"),
    ])
    func datesMonthFirst(text: String, expected: String) {
        #expect(monthFirst.parse(text).iso == expected)
    }

    @Test("date-times come out in UTC; without a zone they are IST", arguments: [
        ("2024-11-03 14:22", "2024-11-03T08:52:00Z"), ("2024-11-03 14:22:30", "2024-11-03T08:52:30Z"),
        ("2024-11-03T14:22:00Z", "2024-11-03T14:22:00Z"), ("2024-11-03T14:22:00+05:30", "2024-11-03T08:52:00Z"),
        ("2024-11-03T14:22:00.123-05:00", "2024-11-03T19:22:00Z"), ("2024-11-03T14:22:00+0400", "2024-11-03T10:22:00Z"),
        ("2024-12-31 23:30 UTC", "2024-12-31T23:30:00Z"), ("2024-12-31 23:30 IST", "2024-12-31T18:00:00Z"),
        ("2024-01-01 02:00", "2023-12-31T20:30:00Z"), ("05-11-2024 10:22", "2024-11-05T04:52:00Z"),
        ("05/11/2024 10:22 PM", "2024-11-05T16:52:00Z"), ("05/11/2024 12:15 AM", "2024-11-04T18:45:00Z"),
        ("05 Dec 2024 09:00", "2024-12-05T03:30:00Z"),
    ])
    func dateTimes(text: String, expected: String) throws {
        let date = try #require(parsed(dayFirst.parse(text)), "\(text)")
        #expect(date.iso == expected)
        #expect(date.hasTime)
    }

    @Test("month-first date-times with AM/PM")
    func salesforceTimes() {
        #expect(monthFirst.parse("11/5/2024 10:30 AM").iso == "2024-11-05T05:00:00Z")
        #expect(monthFirst.parse("11/5/2024 12:15 PM").iso == "2024-11-05T06:45:00Z")
    }

    @Test("the zone of zone-less date-times is a parameter")
    func offset() {
        #expect(DateParser(defaultUTCOffsetMinutes: 0).parse("2024-11-03 14:22").iso == "2024-11-03T14:22:00Z")
        #expect(DateParser(defaultUTCOffsetMinutes: 240).parse("2024-11-03 14:22").iso == "2024-11-03T10:22:00Z")
    }

    @Test("Excel serial day numbers are converted and marked", arguments: [
        ("45636", "2024-12-10", false), ("45266", "2023-12-06", false), ("45000", "2023-03-15", false), ("45636.5", "2024-12-10T06:30:00Z", true),
        ("25569", "1970-01-01", false),
    ])
    func excel(text: String, expected: String, hasTime: Bool) throws {
        let date = try #require(parsed(dayFirst.parse(text)))
        #expect(date.iso == expected)
        #expect(date.fromExcelSerial)
        #expect(date.hasTime == hasTime)
    }

    @Test("what is no date is refused", arguments: [
        "31/02/2024", "29/02/2023", "2024-13-01", "00/12/2024", "tomorrow", "12345", "05/12", "2024-12-05 25:00",
        "2024-12-05 10:61", "", "13/13/2024", "05/12/2024 foo", "1850-01-01", "13:00 PM 05/12/2024",
        "05/12-2024", "Smarch 5, 2024", "2024-12-05T10:00:00+15:00",
    ])
    func refused(text: String) {
        guard case .failed(let code, let message) = dayFirst.parse(text) else {
            Issue.record("\(text) read as \(dayFirst.parse(text))")
            return
        }
        #expect(code == .dateUnparseable)
        #expect(!message.isEmpty)
    }

    private func parsed(_ result: DateParseResult) -> ParsedDate? {
        if case .parsed(let date) = result { return date }
        return nil
    }
}
