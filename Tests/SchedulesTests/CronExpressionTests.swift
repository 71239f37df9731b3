import Foundation
import Testing

@testable import Schedules

/// Unix seconds of an ISO 8601 UTC time.
func utc(_ text: String) -> Int64 {
    Int64(ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970)
}

/// ISO 8601 UTC text of Unix seconds.
func iso(_ seconds: Int64?) -> String? {
    seconds.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval($0))) }
}

/// The first `count` fires after `start`.
func fires(_ cron: String, zone: String = "UTC", after start: String, count: Int) throws -> [String] {
    let schedule = try CronSchedule(cron: cron, timeZone: zone)
    var t = utc(start)
    var out: [String] = []
    for _ in 0..<count {
        guard let next = schedule.nextFire(after: t) else { break }
        out.append(iso(next)!)
        t = next
    }
    return out
}

@Suite("Cron expressions")
struct CronExpressionTests {
    @Test("civil dates round-trip through naive seconds, weekdays included")
    func civil() {
        for naive in stride(from: Int64(-86_400 * 800), to: 86_400 * 40_000, by: 86_400 * 37 + 3_671) {
            #expect(CivilTime(naiveSeconds: naive).naiveSeconds == naive)
        }
        #expect(CivilTime(year: 1970, month: 1, day: 1).weekday == 4)
        #expect(CivilTime(year: 2026, month: 12, day: 6).weekday == 0)
        #expect(CivilTime(year: 2028, month: 2, day: 29).naiveSeconds == utc("2028-02-29T00:00:00Z"))
    }

    @Test("five fields fire on the minute; six start with seconds")
    func fields() throws {
        #expect(
            try fires("*/15 * * * *", after: "2026-12-06T10:07:30Z", count: 3)
                == ["2026-12-06T10:15:00Z", "2026-12-06T10:30:00Z", "2026-12-06T10:45:00Z"])
        #expect(
            try fires("*/20 * * * * *", after: "2026-12-06T10:07:30Z", count: 3)
                == ["2026-12-06T10:07:40Z", "2026-12-06T10:08:00Z", "2026-12-06T10:08:20Z"])
        #expect(
            try fires("0 9-17/4 * * MON-FRI", after: "2026-12-04T16:00:00Z", count: 4)
                == ["2026-12-04T17:00:00Z", "2026-12-07T09:00:00Z", "2026-12-07T13:00:00Z", "2026-12-07T17:00:00Z"])
        #expect(
            try fires("5/20 0 1 jan,Jul *", after: "2026-01-01T00:30:00Z", count: 3)
                == ["2026-01-01T00:45:00Z", "2026-07-01T00:05:00Z", "2026-07-01T00:25:00Z"])
        // 7 is Sunday, as 0 is.
        #expect(try fires("0 0 * * 7", after: "2026-12-01T00:00:00Z", count: 1) == ["2026-12-06T00:00:00Z"])
    }

    @Test("day of month and day of week: either when both are restricted, both when one is *")
    func dayRule() throws {
        // The 13th, and every Friday.
        #expect(
            try fires("0 0 13 * FRI", after: "2026-11-01T00:00:00Z", count: 4)
                == ["2026-11-06T00:00:00Z", "2026-11-13T00:00:00Z", "2026-11-20T00:00:00Z", "2026-11-27T00:00:00Z"])
        // Every other day of the month that is a Monday: `*/2` counts as *, so both must match.
        #expect(
            try fires("0 0 */2 * 1", after: "2026-11-30T12:00:00Z", count: 2) == ["2026-12-07T00:00:00Z", "2026-12-21T00:00:00Z"])
    }

    @Test("macros, leap days, and months without a 31st")
    func calendar() throws {
        // JUL and WED hold Quartz's letters and are names all the same.
        #expect(try fires("0 0 * JUL WED", after: "2026-06-01T00:00:00Z", count: 1) == ["2026-07-01T00:00:00Z"])
        #expect(try fires("@yearly", after: "2026-06-01T00:00:00Z", count: 1) == ["2027-01-01T00:00:00Z"])
        #expect(try fires("@hourly", after: "2026-06-01T00:00:00Z", count: 1) == ["2026-06-01T01:00:00Z"])
        #expect(try fires("@weekly", after: "2026-12-01T00:00:00Z", count: 1) == ["2026-12-06T00:00:00Z"])
        #expect(
            try fires("0 0 29 2 *", after: "2026-01-01T00:00:00Z", count: 2) == ["2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"])
        #expect(
            try fires("0 12 31 * *", after: "2026-01-31T13:00:00Z", count: 3)
                == ["2026-03-31T12:00:00Z", "2026-05-31T12:00:00Z", "2026-07-31T12:00:00Z"])
    }

    @Test(
        "refusals name the field and the problem",
        arguments: [
            ("", "has 0 fields"), ("* * * *", "has 4 fields"), ("* * * * * * *", "has 7 fields"),
            ("60 * * * *", "minute '60': 60 is outside 0-59"), ("* 24 * * *", "hour '24': 24 is outside 0-23"),
            ("* * 0 * *", "day of month '0'"), ("* * * 13 *", "month '13'"), ("* * * * 8", "day of week '8'"),
            ("5-1 * * * *", "runs backwards"), ("*/0 * * * *", "the step '0'"), ("*/61 * * * * *", "the step '61'"),
            ("1,,2 * * * *", "an empty list item"), ("x * * * *", "'x' is not a number"),
            ("* * * FOO *", "'FOO' is not a number or a name"), ("0 0 L * *", "Quartz"), ("0 0 ? * MON", "Quartz"),
            ("@fortnightly", "is not a macro"), ("1/2/3 * * * *", "more than one '/'"),
        ])
    func refusals(_ text: String, _ message: String) {
        #expect {
            _ = try CronExpression(text)
        } throws: { error in
            let error = error as? ScheduleError
            return error?.code == .cronInvalid && error?.message.contains(message) == true
        }
    }

    @Test("a date that never comes and a zone that is not IANA's are refused")
    func neverAndZones() throws {
        #expect {
            _ = try CronSchedule(cron: "0 0 30 2 *", timeZone: "UTC")
        } throws: { ($0 as? ScheduleError)?.code == .cronInvalid && "\($0)".contains("never fires") }
        for zone in ["Mars/Olympus", "EST", "GMT+5", "", "europe/london"] {
            #expect(throws: ScheduleError.self, "\(zone)") { _ = try CronSchedule(cron: "* * * * *", timeZone: zone) }
        }
        for zone in [
            "UTC", "GMT", "Etc/UTC", "Europe/London", "America/New_York", "US/Eastern", "Asia/Kolkata", "Australia/Lord_Howe",
        ] {
            _ = try CronSchedule(cron: "* * * * *", timeZone: zone)
        }
    }
}
