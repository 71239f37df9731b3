/// Calendar arithmetic on the proleptic Gregorian calendar, days counted from 1970-01-01
/// (Howard Hinnant's `days_from_civil`), without Foundation's calendars in the row loop.
enum CivilDate {
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// "yyyy-MM-dd".
    static func isoDate(daysSinceEpoch days: Int) -> String {
        let date = civil(days: days)
        return String(unsafeUninitializedCapacity: 10) { buffer in
            write(date.year, 4, into: buffer, at: 0)
            buffer[4] = UInt8(ascii: "-")
            write(date.month, 2, into: buffer, at: 5)
            buffer[7] = UInt8(ascii: "-")
            write(date.day, 2, into: buffer, at: 8)
            return 10
        }
    }

    /// "yyyy-MM-ddTHH:mm:ssZ".
    static func isoDateTime(secondsSinceEpoch seconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let date = civil(days: days)
        return String(unsafeUninitializedCapacity: 20) { buffer in
            write(date.year, 4, into: buffer, at: 0)
            buffer[4] = UInt8(ascii: "-")
            write(date.month, 2, into: buffer, at: 5)
            buffer[7] = UInt8(ascii: "-")
            write(date.day, 2, into: buffer, at: 8)
            buffer[10] = UInt8(ascii: "T")
            write(secondOfDay / 3_600, 2, into: buffer, at: 11)
            buffer[13] = UInt8(ascii: ":")
            write(secondOfDay / 60 % 60, 2, into: buffer, at: 14)
            buffer[16] = UInt8(ascii: ":")
            write(secondOfDay % 60, 2, into: buffer, at: 17)
            buffer[19] = UInt8(ascii: "Z")
            return 20
        }
    }

    private static func write(_ value: Int, _ width: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var rest = value
        for position in stride(from: start + width - 1, through: start, by: -1) {
            buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }
}
