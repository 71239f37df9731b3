public import Foundation

/// A cron expression read in an IANA time zone: the instants it fires at.
///
/// Daylight-saving changes are handled as Vixie cron sorts schedules. One at a fixed time (its
/// minute and hour fields not `*`/`*/n`: `30 2 * * *`) runs once per day at its wall-clock
/// time: in a repeated hour (fall back) only in the first pass, and when its time is skipped
/// (spring forward) at the instant the clocks jump (once, where Vixie runs each skipped time
/// then). One whose minute or hour is `*` or `*/n` follows real time: it runs in both passes of
/// a repeated hour and not in a skipped one, so `*/5 * * * *` stays every five real minutes.
public struct CronSchedule: Sendable, Equatable {
    public let expression: CronExpression
    public let timeZone: TimeZone

    public init(expression: CronExpression, timeZone: TimeZone) {
        self.expression = expression
        self.timeZone = timeZone
    }

    /// Parses both, refusing an unknown zone or an expression that never fires.
    public init(cron: String, timeZone identifier: String) throws(ScheduleError) {
        guard let zone = TimeZone(identifier: identifier), Self.isIANAName(identifier, of: zone) else {
            throw ScheduleError(
                .timeZoneInvalid, "'\(identifier)' is not an IANA time zone name such as Europe/London or UTC")
        }
        self.init(expression: try CronExpression(cron), timeZone: zone)
        guard nextFire(after: Date()) != nil else {
            throw ScheduleError(
                .cronInvalid, "'\(cron)' never fires (no such date in the next \(CronExpression.searchYears) years)")
        }
    }

    /// The first instant strictly after `date` (whole seconds) at which the schedule fires.
    public func nextFire(after date: Date) -> Date? {
        nextFire(after: Int64(date.timeIntervalSince1970.rounded(.down))).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// The same in Unix seconds.
    public func nextFire(after t: Int64) -> Int64? {
        // Where the offset changes near `t`, a wall-clock time before t's own can still map to
        // an instant after t (the second pass of a repeated hour): search from that far back.
        var cursor = t + Int64(offset(at: t)) - spread(around: t)
        var best: Int64?
        var limit: Int64?
        while let naive = expression.nextMatch(after: cursor) {
            if let limit, naive > limit { break }
            for instant in fires(naive: naive) where instant > t {
                if best == nil || instant < best! { best = instant }
            }
            if best != nil && limit == nil {
                // A later wall-clock time maps to an earlier instant only within the spread of
                // offsets around it.
                limit = naive + spread(around: naive - Int64(offset(at: naive)))
            }
            cursor = naive
        }
        return best
    }

    /// The instants a wall-clock time fires at: one, both passes of a repeated time when the
    /// schedule follows real time (else the first), and for a skipped time the jump itself
    /// unless it follows real time.
    func fires(naive: Int64) -> [Int64] {
        let around = Set([offset(at: naive - 50_400), offset(at: naive), offset(at: naive + 50_400)])
        let instants = around.map { naive - Int64($0) }.filter { offset(at: $0) == Int(naive - $0) }.sorted()
        if !instants.isEmpty {
            return expression.followsRealTime ? instants : [instants[0]]
        }
        guard !expression.followsRealTime else { return [] }
        // In a gap: the offset before is the smaller one; the jump lies between the two readings.
        let before = Int64(offset(at: naive - 50_400))
        let after = Int64(offset(at: naive + 50_400))
        var low = naive - after
        var high = naive - before
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if Int64(offset(at: middle)) == before { low = middle } else { high = middle }
        }
        return [high]
    }

    /// IANA names only (`Europe/London`, `US/Eastern`, `Etc/GMT+5`, `UTC`): Foundation alone also
    /// takes abbreviations (`EST`) and offsets (`GMT+5`), which follow no daylight-saving rules.
    static func isIANAName(_ identifier: String, of zone: TimeZone) -> Bool {
        if identifier == "UTC" { return true }
        return zone.identifier == identifier && (identifier.contains("/") || knownNames.contains(identifier))
    }

    static let knownNames = Set(TimeZone.knownTimeZoneIdentifiers)

    func offset(at instant: Int64) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// How far the offset falls within a day of `instant` (a repeated hour): 0 away from one.
    /// Only a fall sends a later wall-clock time to an earlier instant; across a rise (a skipped
    /// hour) instants keep the wall clock's order.
    func spread(around instant: Int64) -> Int64 {
        let (before, at, after) = (offset(at: instant - 86_400), offset(at: instant), offset(at: instant + 86_400))
        return Int64(max(0, before - at, at - after, before - after))
    }
}
