import VelocityTypes

extension CronExpression {
    /// How far ahead the search looks before it calls an expression one that never fires
    /// (`0 0 30 2 *`): past two leap days, so February 29 is always found.
    static let searchYears = 9

    /// The first wall-clock time after `naive` (naive seconds) that matches, or nil when none
    /// does within `searchYears`.
    func nextMatch(after naive: Int64) -> Int64? {
        var t = CivilTime(naiveSeconds: naive + 1)
        let lastYear = t.year + Self.searchYears
        while t.year <= lastYear {
            guard months.contains(t.month) else {
                guard let month = months.next(atOrAbove: t.month + 1) else {
                    t = CivilTime(year: t.year + 1, month: 1, day: 1)
                    continue
                }
                t = CivilTime(year: t.year, month: month, day: 1)
                continue
            }
            guard t.day <= CivilCalendar.daysIn(month: t.month, year: t.year) else {
                t =
                    t.month == 12
                    ? CivilTime(year: t.year + 1, month: 1, day: 1) : CivilTime(year: t.year, month: t.month + 1, day: 1)
                continue
            }
            guard matchesDay(t) else {
                t = CivilTime(naiveSeconds: CivilTime(year: t.year, month: t.month, day: t.day).naiveSeconds + 86_400)
                continue
            }
            guard let hour = hours.next(atOrAbove: t.hour) else {
                t = CivilTime(naiveSeconds: CivilTime(year: t.year, month: t.month, day: t.day).naiveSeconds + 86_400)
                continue
            }
            if hour != t.hour { (t.hour, t.minute, t.second) = (hour, 0, 0) }
            guard let minute = minutes.next(atOrAbove: t.minute) else {
                t = CivilTime(
                    naiveSeconds: CivilTime(year: t.year, month: t.month, day: t.day, hour: t.hour).naiveSeconds + 3_600)
                continue
            }
            if minute != t.minute { (t.minute, t.second) = (minute, 0) }
            guard let second = seconds.next(atOrAbove: t.second) else {
                t = CivilTime(
                    naiveSeconds: CivilTime(year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute)
                        .naiveSeconds + 60)
                continue
            }
            t.second = second
            return t.naiveSeconds
        }
        return nil
    }
}
