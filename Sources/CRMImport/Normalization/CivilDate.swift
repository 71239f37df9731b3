import VelocityTypes

/// ISO 8601 text of days and seconds since 1970-01-01 (`CivilCalendar` does the arithmetic),
/// without Foundation's formatters in the row loop.
enum CivilDate {
    /// "yyyy-MM-dd".
    static func isoDate(daysSinceEpoch days: Int) -> String {
        let date = CivilCalendar.civil(days: days)
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
        let date = CivilCalendar.civil(days: days)
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
