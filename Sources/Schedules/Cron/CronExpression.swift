import Foundation

/// A cron expression: five fields (minute hour day-of-month month day-of-week) or six with
/// seconds first, or a macro (`@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`,
/// `@midnight`, `@hourly`).
///
/// Fields take numbers, `*`, ranges `a-b`, steps `*/n`, `a-b/n` and `a/n`, lists, month and
/// weekday names (`JAN`, `MON`; 0 and 7 are Sunday). As in Vixie cron, when both the day of
/// the month and the day of the week are restricted, a day matching either runs.
/// Quartz's `?`, `L`, `W` and `#` are refused by name.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    /// The expression as written.
    public let text: String
    let seconds: CronField
    let minutes: CronField
    let hours: CronField
    let days: CronField
    let months: CronField
    let weekdays: CronField

    /// Whether the minute or the hour field is `*` or `*/n` (Vixie cron's "wildcard" jobs):
    /// such a schedule follows real time across daylight-saving changes (it runs in both passes
    /// of a repeated hour and not at all in a skipped one); one at a fixed time runs once a day
    /// at its wall-clock time.
    public var followsRealTime: Bool { hours.isStar || minutes.isStar }

    public var description: String { text }

    static let macros = [
        "@yearly": "0 0 0 1 1 *", "@annually": "0 0 0 1 1 *", "@monthly": "0 0 0 1 * *",
        "@weekly": "0 0 0 * * 0", "@daily": "0 0 0 * * *", "@midnight": "0 0 0 * * *", "@hourly": "0 0 * * * *",
    ]

    public init(_ text: String) throws(ScheduleError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        self.text = trimmed
        var expanded = trimmed
        if trimmed.hasPrefix("@") {
            guard let macro = Self.macros[trimmed.lowercased()] else {
                throw ScheduleError(
                    .cronInvalid, "'\(trimmed)' is not a macro; use one of \(Self.macros.keys.sorted().joined(separator: ", "))")
            }
            expanded = macro
        }
        var fields = expanded.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count == 5 || fields.count == 6 else {
            throw ScheduleError(
                .cronInvalid,
                "'\(trimmed)' has \(fields.count) fields; write 5 (minute hour day month weekday) or 6 (second first)")
        }
        if let quartz = fields.first(where: Self.isQuartz) {
            throw ScheduleError(.cronInvalid, "'\(quartz)': Quartz's ?, L, W and # are not supported")
        }
        if fields.count == 5 { fields.insert("0", at: 0) }
        seconds = try CronField.parse(fields[0], name: "second", range: 0...59)
        minutes = try CronField.parse(fields[1], name: "minute", range: 0...59)
        hours = try CronField.parse(fields[2], name: "hour", range: 0...23)
        days = try CronField.parse(fields[3], name: "day of month", range: 1...31)
        months = try CronField.parse(fields[4], name: "month", range: 1...12, names: CronField.monthNames)
        weekdays = try CronField.parse(
            fields[5], name: "day of week", range: 0...6, names: CronField.weekdayNames, sevenIsZero: true)
    }

    /// Whether a field uses Quartz's extensions: `?`, `#`, or a token `L`, `LW`, `5L`, `15W`
    /// (names such as `JUL` and `WED` contain the letters and are not).
    static func isQuartz(_ field: Substring) -> Bool {
        if field.contains("?") || field.contains("#") { return true }
        return field.split(whereSeparator: { ",-/".contains($0) }).contains { token in
            let upper = token.uppercased()
            guard upper.hasSuffix("L") || upper.hasSuffix("W") else { return false }
            return upper.dropLast().allSatisfy { $0.isNumber || $0 == "L" }
        }
    }

    /// Whether the day of `time` matches the day-of-month and day-of-week fields.
    func matchesDay(_ time: CivilTime) -> Bool {
        let dayOfMonth = days.contains(time.day)
        let dayOfWeek = weekdays.contains(time.weekday)
        return days.isStar || weekdays.isStar ? dayOfMonth && dayOfWeek : dayOfMonth || dayOfWeek
    }
}
