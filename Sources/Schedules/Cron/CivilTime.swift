import VelocityTypes

/// A wall-clock date and time with no zone: what a cron expression matches.
///
/// Converted to and from "naive seconds", the seconds since 1970-01-01T00:00:00 of the same wall
/// clock, with `CivilCalendar`, so the search for the next match does
/// calendar arithmetic without Foundation's `Calendar` (and without its time zone).
struct CivilTime: Equatable, Comparable, Sendable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    init(naiveSeconds: Int64) {
        let days = Int(naiveSeconds.floorDivided(by: 86_400))
        let inDay = Int(naiveSeconds - Int64(days) * 86_400)
        (year, month, day) = CivilCalendar.civil(days: days)
        hour = inDay / 3_600
        minute = inDay / 60 % 60
        second = inDay % 60
    }

    var naiveSeconds: Int64 {
        Int64(CivilCalendar.days(year: year, month: month, day: day)) * 86_400 + Int64(hour * 3_600 + minute * 60 + second)
    }

    /// 0 for Sunday … 6 for Saturday, as cron numbers them.
    var weekday: Int {
        let days = CivilCalendar.days(year: year, month: month, day: day)
        // 1970-01-01 was a Thursday.
        return ((days % 7) + 7 + 4) % 7
    }

    static func < (a: CivilTime, b: CivilTime) -> Bool { a.naiveSeconds < b.naiveSeconds }
}

extension Int64 {
    /// Division rounding toward negative infinity.
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }
}
