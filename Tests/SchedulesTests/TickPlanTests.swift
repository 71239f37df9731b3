import Testing

@testable import Schedules

@Suite("Tick plans")
struct TickPlanTests {
    let everyFiveMinutes = try! CronSchedule(cron: "*/5 * * * *", timeZone: "UTC")
    let t = utc("2026-12-06T10:00:00Z")

    func plan(
        due: Int64, now: Int64, missed: MissedTickPolicy = .skip, overlap: OverlapPolicy = .skip, open: Bool = false,
        schedule: CronSchedule? = nil
    ) -> TickPlan? {
        TickPlan.plan(
            due: due, now: now, schedule: schedule ?? everyFiveMinutes, missedPolicy: missed, overlap: overlap,
            grace: 60, previousOpen: open)
    }

    @Test("a tick not yet due has no plan; one due runs alone, even 59 s late")
    func onTime() {
        #expect(plan(due: t, now: t - 1) == nil)
        #expect(plan(due: t, now: t) == TickPlan(tick: t, decision: .run, missed: 0, next: t + 300))
        #expect(plan(due: t, now: t + 59) == TickPlan(tick: t, decision: .run, missed: 0, next: t + 300))
        // A fast schedule's two due ticks, found 10 s late: the first is decided alone.
        let everyFive = try! CronSchedule(cron: "*/5 * * * * *", timeZone: "UTC")
        #expect(plan(due: t, now: t + 10, schedule: everyFive) == TickPlan(tick: t, decision: .run, missed: 0, next: t + 5))
    }

    @Test("overlap: skipped while the previous job is open, unless allowed")
    func overlap() {
        #expect(plan(due: t, now: t, open: true)?.decision == .skippedOverlap)
        #expect(plan(due: t, now: t, overlap: .allow, open: true)?.decision == .run)
        #expect(plan(due: t, now: t, open: false)?.decision == .run)
    }

    @Test("ticks missed during an outage: skipped together, or run once; then on from the first tick in grace")
    func missed() {
        // Down from 10:00 to 11:03:20: ticks 10:00 … 11:00 are older than the 60 s grace.
        let now = t + 3_800
        #expect(plan(due: t, now: now) == TickPlan(tick: t + 3_600, decision: .missed, missed: 12, next: t + 3_900))
        #expect(
            plan(due: t, now: now, missed: .runOnce) == TickPlan(tick: t + 3_600, decision: .run, missed: 12, next: t + 3_900))
        #expect(plan(due: t, now: now, missed: .runOnce, open: true)?.decision == .skippedOverlap)
        // Back at 11:00:30: 11:00 is within grace and comes next, on its own.
        #expect(plan(due: t, now: t + 3_630) == TickPlan(tick: t + 3_300, decision: .missed, missed: 11, next: t + 3_600))
        #expect(plan(due: t + 3_600, now: t + 3_630) == TickPlan(tick: t + 3_600, decision: .run, missed: 0, next: t + 3_900))
    }

    @Test("a per-second schedule two days behind is decided in one plan, its count a lower bound")
    func farBehind() throws {
        let everySecond = try CronSchedule(cron: "* * * * * *", timeZone: "UTC")
        let now = t + 2 * 86_400
        let planned = try #require(plan(due: t, now: now, missed: .runOnce, schedule: everySecond))
        #expect(planned.tick == now - 61)
        #expect(planned.next == now - 60)
        #expect(planned.missed >= TickPlan.walkLimit && planned.missed < 2 * 86_400)
        #expect(planned.decision == .run)
    }
}
