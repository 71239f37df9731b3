import Foundation
import Testing

@testable import Schedules

/// Daylight-saving changes in 2026. New York: 2:00 EST → 3:00 EDT on March 8 (07:00Z), 2:00 EDT →
/// 1:00 EST on November 1 (06:00Z). London: 1:00 GMT → 2:00 BST on March 29 (01:00Z), 2:00 BST →
/// 1:00 GMT on October 25 (01:00Z).
@Suite("Cron across daylight-saving changes")
struct CronScheduleDSTTests {
    @Test("New York, spring forward: a fixed 2:30 runs at the jump, once; every 30 minutes skips the lost hour")
    func newYorkSpring() throws {
        #expect(
            try fires("30 2 * * *", zone: "America/New_York", after: "2026-03-07T12:00:00Z", count: 2)
                == ["2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"])
        // Every minute of 2 a.m. follows real time (its minute is *), as in Vixie cron: 2 a.m.
        // does not exist that day, so it does not run; the fixed 2:15 and 2:45 run once, at the jump.
        #expect(
            try fires("* 2 * * *", zone: "America/New_York", after: "2026-03-08T06:58:00Z", count: 2)
                == ["2026-03-09T06:00:00Z", "2026-03-09T06:01:00Z"])
        #expect(
            try fires("15,45 2 * * *", zone: "America/New_York", after: "2026-03-08T06:58:00Z", count: 2)
                == ["2026-03-08T07:00:00Z", "2026-03-09T06:15:00Z"])
        #expect(
            try fires("*/30 * * * *", zone: "America/New_York", after: "2026-03-08T06:15:00Z", count: 3)
                == ["2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z"])
    }

    @Test("New York, fall back: a fixed 1:30 runs in the first pass only; every 30 minutes runs in both")
    func newYorkFall() throws {
        #expect(
            try fires("30 1 * * *", zone: "America/New_York", after: "2026-10-31T12:00:00Z", count: 2)
                == ["2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"])
        // Every minute of 1 a.m. runs in both passes: 120 times.
        #expect(
            try fires("* 1 * * *", zone: "America/New_York", after: "2026-11-01T04:59:00Z", count: 121).last
                == "2026-11-02T06:00:00Z")
        #expect(
            try fires("* 1 * * *", zone: "America/New_York", after: "2026-11-01T04:59:00Z", count: 120).last
                == "2026-11-01T06:59:00Z")
        #expect(
            try fires("*/30 * * * *", zone: "America/New_York", after: "2026-11-01T04:45:00Z", count: 5)
                == [
                    "2026-11-01T05:00:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:00:00Z", "2026-11-01T06:30:00Z",
                    "2026-11-01T07:00:00Z",
                ])
        // Asked from inside the second pass, a real-time schedule finds the rest of it.
        #expect(
            try fires("*/20 * * * *", zone: "America/New_York", after: "2026-11-01T06:05:00Z", count: 2)
                == ["2026-11-01T06:20:00Z", "2026-11-01T06:40:00Z"])
    }

    @Test("London, spring forward and fall back, with seconds")
    func london() throws {
        #expect(
            try fires("0 30 1 * * *", zone: "Europe/London", after: "2026-03-28T12:00:00Z", count: 2)
                == ["2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"])
        #expect(
            try fires("0 30 1 * * *", zone: "Europe/London", after: "2026-10-24T12:00:00Z", count: 2)
                == ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"])
        #expect(
            try fires("0 */20 * * * *", zone: "Europe/London", after: "2026-10-25T00:30:00Z", count: 4)
                == ["2026-10-25T00:40:00Z", "2026-10-25T01:00:00Z", "2026-10-25T01:20:00Z", "2026-10-25T01:40:00Z"])
        // The nightly job at 02:30 stays at 02:30 local on both sides of the change.
        #expect(
            try fires("30 2 * * *", zone: "Europe/London", after: "2026-03-28T00:00:00Z", count: 3)
                == ["2026-03-28T02:30:00Z", "2026-03-29T01:30:00Z", "2026-03-30T01:30:00Z"])
    }

    @Test(
        "over a whole year: a fixed daily time runs once per local day, a real-time schedule every 15 real minutes",
        arguments: ["Europe/London", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"])
    func wholeYear(_ zone: String) throws {
        let tz = TimeZone(identifier: zone)!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = tz
        for cron in ["30 2 * * *", "0 1 * * *", "45 23 * * *"] {
            let daily = try CronSchedule(cron: cron, timeZone: zone)
            var t = utc("2026-01-01T00:00:00Z")
            var days: [DateComponents] = []
            while let next = daily.nextFire(after: t), next < utc("2027-01-01T00:00:00Z") {
                days.append(
                    calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(next))))
                t = next
            }
            #expect(days.count == 365, "\(cron) in \(zone)")
            #expect(Set(days).count == 365, "\(cron) in \(zone): a local day ran twice")
        }
        let quarterly = try CronSchedule(cron: "*/15 * * * *", timeZone: zone)
        var t = utc("2026-01-01T00:00:00Z")
        var gaps: Set<Int64> = []
        while let next = quarterly.nextFire(after: t), next < utc("2027-01-01T00:00:00Z") {
            gaps.insert(next - t)
            t = next
        }
        #expect(gaps == [900], "\(zone)")
    }
}
