import Broker
import Foundation
import Logging
import PostgresClient
import Synchronization
import TestSupport
import Testing
import VelocityTypes

@testable import Schedules

/// Jobs as a test sees them: every submit counted by job id; which ids are open; a switch
/// that makes submits fail (a scheduler dying after its claim) or be refused.
final class RecordingJobs: ScheduledJobs {
    struct Submitted: Equatable {
        var scheduleID: String
        var tick: Int64
        var calls: Int
    }

    enum Mode { case accept, fail, refuse }

    let state = Mutex<(jobs: [String: Submitted], open: Set<String>, mode: Mode)>(([:], [], .accept))

    func submit(_ schedule: Schedule, tick: Int64, jobID: String) async throws {
        try state.withLock { state in
            switch state.mode {
            case .fail: throw PostgresError(.connectionFailed, "the scheduler died")
            case .refuse: throw ScheduleError(.scheduledJobRefused, "kind: unknown kind 'gone'")
            case .accept: break
            }
            state.jobs[jobID, default: Submitted(scheduleID: schedule.id, tick: tick, calls: 0)].calls += 1
        }
    }

    func isOpen(jobID: String) async throws -> Bool { state.withLock { $0.open.contains(jobID) } }

    var jobs: [String: Submitted] { state.withLock { $0.jobs } }
    func set(_ mode: Mode) { state.withLock { $0.mode = mode } }
    func setOpen(_ ids: Set<String>) { state.withLock { $0.open = ids } }
}

/// A schedule store in a schema of its own, dropped at the end; on the record store's pool of
/// two connections (the suite runs beside hundreds of other tests on one PostgreSQL).
func withStore(_ body: (ScheduleStore) async throws -> Void) async throws {
    let records = try await TestRecordStore.make()
    do {
        try await records.pool.withConnection {
            _ = try await PostgresMigrator().migrate($0, migrations: ScheduleMigrations.all)
        }
        try await body(ScheduleStore(postgres: records.pool, perTenantLimit: 3))
    } catch {
        await records.tearDown()
        throw error
    }
    await records.tearDown()
}

func scheduler(
    _ store: ScheduleStore, _ jobs: RecordingJobs, name: String, resubmitAfter: Duration = .seconds(10),
    onDecided: @escaping @Sendable (TickDecision, Duration) -> Void = { _, _ in }
) -> Scheduler {
    var configuration = Scheduler.Configuration()
    configuration.onDecided = onDecided
    configuration.name = name
    configuration.resubmitAfter = resubmitAfter
    return Scheduler(store: store, jobs: jobs, configuration: configuration, logger: Logger(label: "test.scheduler"))
}

let job: JSONValue = ["kind": "test.noop", "payload": [:]]

@Suite("Scheduler against PostgreSQL", .serialized)
struct SchedulerTests {
    @Test("three schedulers racing through an hour of simulated ticks make exactly one job per tick")
    func racing() async throws {
        try await withStore { store in
            let start = Date(timeIntervalSince1970: TimeInterval(utc("2026-12-06T10:00:00Z")))
            let fast = try await store.create(
                .init(name: "every-5s", cron: "*/5 * * * * *", timeZone: "UTC", job: job), tenant: "acme", by: "k1",
                now: start)
            let minutely = try await store.create(
                .init(name: "minutely", cron: "* * * * *", timeZone: "Europe/London", job: job, overlap: .allow),
                tenant: "acme", by: "k1", now: start)
            let jobs = RecordingJobs()
            let schedulers = (1...3).map { scheduler(store, jobs, name: "s\($0)") }
            // A duel, whatever the machine's load: two schedulers decide the first tick from the
            // same read of the schedule, and only one claim can win it.
            let first = Int64(start.timeIntervalSince1970) + 5
            let stale = try #require(try await store.due(now: first, limit: 10).first { $0.id == fast.id })
            let winner = try await schedulers[0].decide(stale, now: first)
            let loser = try await schedulers[1].decide(stale, now: first)
            #expect(winner?.claimed == true && winner?.plan.tick == first)
            #expect(loser?.claimed == false)
            // Then each scheduler passes every 2-4 simulated seconds, all three at once.
            var lost = 0
            var clocks = [0.0, 0.7, 1.3]
            var generator = SystemRandomNumberGenerator()
            // The last round starts once every clock is past the hour: all three then pass at
            // its end, so no tick is left for the check below.
            var last = false
            while !last {
                let times = clocks
                last = times.min()! >= 3_600
                lost += try await withThrowingTaskGroup(of: Int.self) { group in
                    for (index, scheduler) in schedulers.enumerated() {
                        let now = start.addingTimeInterval(min(times[index], 3_600))
                        group.addTask { try await scheduler.pass(now: now).lost }
                    }
                    return try await group.reduce(0, +)
                }
                clocks = clocks.map { $0 + Double.random(in: 2...4, using: &generator) }
            }
            for schedule in try await schedulers[0].pass(now: start.addingTimeInterval(3_600)).decided {
                Issue.record("a tick was left for after the hour: \(schedule)")
            }
            // How often they raced (`lost`) depends on the machine's load; the duel above is the
            // race that must happen.
            _ = lost
            let made = jobs.jobs
            for (schedule, count, step) in [(fast, 720, Int64(5)), (minutely, 60, Int64(60))] {
                let ticks = made.values.filter { $0.scheduleID == schedule.id }.map(\.tick).sorted()
                #expect(ticks.count == count)
                #expect(ticks == (1...Int64(count)).map { utc("2026-12-06T10:00:00Z") + $0 * step })
                let runs = try await store.runs(scheduleID: schedule.id, before: nil, limit: 1_000)
                #expect(runs.count == count)
                #expect(runs.allSatisfy { $0.decision == .run && $0.submittedAt != nil && $0.missed == 0 })
                #expect(Set(runs.compactMap(\.jobID)) == Set(made.filter { $0.value.scheduleID == schedule.id }.keys))
            }
            #expect(made.values.allSatisfy { $0.calls == 1 })
        }
    }

    @Test("a scheduler that dies after its claim: the tick's job is submitted later by another, under the same id")
    func resubmit() async throws {
        try await withStore { store in
            let created = Date(timeIntervalSince1970: TimeInterval(utc("2026-12-06T10:00:00Z")))
            let start = created.addingTimeInterval(10)
            let schedule = try await store.create(
                .init(name: nil, cron: "*/10 * * * * *", timeZone: "UTC", job: job), tenant: "acme", by: "k1",
                now: created)
            let jobs = RecordingJobs()
            jobs.set(.fail)
            let dying = try await scheduler(store, jobs, name: "dying").pass(now: start)
            #expect(dying.decided.count == 1)
            let decided = try #require(dying.decided.first)
            #expect(jobs.jobs.isEmpty)
            let pending = try await store.runs(scheduleID: schedule.id, before: nil, limit: 10)
            #expect(pending.first?.submittedAt == nil)
            jobs.set(.accept)
            // Not before `resubmitAfter`: the first scheduler may still be submitting.
            let early = try await scheduler(store, jobs, name: "other", resubmitAfter: .seconds(30)).pass(now: start)
            #expect(early.resubmitted == 0)
            let late = try await scheduler(store, jobs, name: "other", resubmitAfter: .zero).pass(now: start)
            #expect(late.resubmitted == 1)
            #expect(jobs.jobs[decided.jobID!]?.calls == 1)
            #expect(jobs.jobs[decided.jobID!]?.tick == decided.plan.tick)
            let done = try await store.runs(scheduleID: schedule.id, before: nil, limit: 10)
            #expect(done.first { $0.tick == decided.plan.tick }?.submittedAt != nil)
        }
    }

    @Test("a refused job is recorded on its run, not tried again; an open previous job skips the tick")
    func refusedAndOverlap() async throws {
        try await withStore { store in
            let start = Date(timeIntervalSince1970: TimeInterval(utc("2026-12-06T10:00:00Z")))
            let schedule = try await store.create(
                .init(name: "q", cron: "*/10 * * * * *", timeZone: "UTC", job: job), tenant: "acme", by: "k1", now: start)
            let jobs = RecordingJobs()
            let heard = Mutex<[String]>([])
            let s = scheduler(store, jobs, name: "s", resubmitAfter: .zero) { decision, delay in
                heard.withLock { $0.append("\(decision.rawValue) \(delay)") }
            }
            jobs.set(.refuse)
            _ = try await s.pass(now: start.addingTimeInterval(10))
            var runs = try await store.runs(scheduleID: schedule.id, before: nil, limit: 10)
            #expect(runs.first?.error == "kind: unknown kind 'gone'")
            #expect(runs.first?.submittedAt != nil)
            #expect(try await s.pass(now: start.addingTimeInterval(11)).resubmitted == 0)
            jobs.set(.accept)
            let second = try await s.pass(now: start.addingTimeInterval(20))
            let jobID = try #require(second.decided.first?.jobID)
            jobs.setOpen([jobID])
            let third = try await s.pass(now: start.addingTimeInterval(30))
            #expect(third.decided.map(\.plan.decision) == [.skippedOverlap])
            jobs.setOpen([])
            let fourth = try await s.pass(now: start.addingTimeInterval(40))
            #expect(fourth.decided.map(\.plan.decision) == [.run])
            runs = try await store.runs(scheduleID: schedule.id, before: nil, limit: 10)
            #expect(runs.map(\.decision) == [.run, .skippedOverlap, .run, .run])
            // What the gateway's metrics hear: each decision, and how late after its tick (0 s here).
            #expect(
                heard.withLock { $0 } == ["run 0.0 seconds", "run 0.0 seconds", "skipped_overlap 0.0 seconds", "run 0.0 seconds"])
            #expect(runs.map(\.tick) == [40, 30, 20, 10].map { utc("2026-12-06T10:00:00Z") + $0 })
        }
    }

    @Test("after an outage: missed ticks skipped or run once; a paused schedule makes nothing and resumes from now")
    func outageAndPause() async throws {
        try await withStore { store in
            let start = Date(timeIntervalSince1970: TimeInterval(utc("2026-12-06T10:00:00Z")))
            let skip = try await store.create(
                .init(name: "skip", cron: "*/5 * * * *", timeZone: "UTC", job: job), tenant: "acme", by: "k", now: start)
            let once = try await store.create(
                .init(name: "once", cron: "*/5 * * * *", timeZone: "UTC", job: job, missed: .runOnce), tenant: "acme",
                by: "k", now: start)
            let paused = try await store.create(
                .init(name: "paused", cron: "*/5 * * * *", timeZone: "UTC", job: job, paused: true), tenant: "acme",
                by: "k", now: start)
            let jobs = RecordingJobs()
            // Everything down from 10:00 to 11:03:20: ticks 10:05 … 11:00 are past the 60 s grace.
            let pass = try await scheduler(store, jobs, name: "s").pass(now: start.addingTimeInterval(3_800))
            let byID = Dictionary(grouping: pass.decided, by: \.scheduleID)
            #expect(
                byID[skip.id]?.map(\.plan) == [
                    TickPlan(tick: utc("2026-12-06T11:00:00Z"), decision: .missed, missed: 11, next: utc("2026-12-06T11:05:00Z"))
                ])
            #expect(byID[once.id]?.map(\.plan.decision) == [.run])
            // 10:05 … 10:55 folded into 11:00's job.
            #expect(byID[once.id]?.first?.plan.missed == 11)
            #expect(byID[paused.id] == nil)
            #expect(jobs.jobs.count == 1)
            let resumed = try await store.update(
                paused,
                to: {
                    var d = ScheduleStore.Draft(paused)
                    d.paused = false
                    return d
                }(),
                now: start.addingTimeInterval(3_800))
            #expect(resumed.nextFire == utc("2026-12-06T11:05:00Z"))
            #expect(resumed.revision == 2)
        }
    }

    @Test("an edit that raced a claim keeps the claimed schedule's next tick; a tick is never decided twice")
    func editRacingAClaim() async throws {
        try await withStore { store in
            let start = Date(timeIntervalSince1970: TimeInterval(utc("2026-12-06T10:00:00Z")))
            let read = try await store.create(
                .init(name: "r", cron: "*/10 * * * * *", timeZone: "UTC", job: job), tenant: "acme", by: "k", now: start)
            let jobs = RecordingJobs()
            let s = scheduler(store, jobs, name: "s")
            // The scheduler claims 10:00:10 after the editor read the schedule.
            #expect(try await s.pass(now: start.addingTimeInterval(10)).decided.count == 1)
            var draft = ScheduleStore.Draft(read)
            draft.job = ["kind": "test.other"]
            let edited = try await store.update(read, to: draft, now: start.addingTimeInterval(10))
            #expect(edited.nextFire == utc("2026-12-06T10:00:20Z"))
            #expect(edited.job == ["kind": "test.other"])
            // Even a schedule put back on a decided tick (a clock behind) moves on without a second decision.
            try await store.postgres.withConnection { connection in
                _ = try await connection.query(
                    "UPDATE schedules SET next_fire_at = to_timestamp($1::bigint) WHERE id = $2",
                    [String(utc("2026-12-06T10:00:10Z")), read.id])
            }
            let again = try await s.pass(now: start.addingTimeInterval(15))
            #expect(again.decided.isEmpty && again.lost == 1 && again.failed == 0)
            #expect(try await store.schedule(id: read.id, tenant: "acme")?.nextFire == utc("2026-12-06T10:00:20Z"))
            #expect(try await store.runs(scheduleID: read.id, before: nil, limit: 10).count == 1)
            #expect(jobs.jobs.count == 1)
        }
    }

    @Test("refusals: a duplicate name, a tenant at its limit, a stale edit; nothing changes")
    func refusals() async throws {
        try await withStore { store in
            let first = try await store.create(
                .init(name: "a", cron: "@daily", timeZone: "UTC", job: job), tenant: "acme", by: "k")
            await #expect {
                try await store.create(.init(name: "a", cron: "@hourly", timeZone: "UTC", job: job), tenant: "acme", by: "k")
            } throws: {
                ($0 as? ScheduleError)?.code == .scheduleConflict
            }
            _ = try await store.create(.init(name: "a", cron: "@hourly", timeZone: "UTC", job: job), tenant: "globex", by: "k")
            _ = try await store.create(.init(name: "b", cron: "@daily", timeZone: "UTC", job: job), tenant: "acme", by: "k")
            _ = try await store.create(.init(name: nil, cron: "@daily", timeZone: "UTC", job: job), tenant: "acme", by: "k")
            await #expect {
                try await store.create(.init(name: nil, cron: "@daily", timeZone: "UTC", job: job), tenant: "acme", by: "k")
            } throws: {
                ($0 as? ScheduleError)?.code == .scheduleConflict && "\($0)".contains("3 schedules")
            }
            let edited = try await store.update(
                first,
                to: {
                    var d = ScheduleStore.Draft(first)
                    d.cron = "@hourly"
                    return d
                }())
            #expect(edited.revision == 2)
            await #expect { try await store.update(first, to: ScheduleStore.Draft(first)) } throws: {
                ($0 as? ScheduleError)?.code == .scheduleConflict
            }
            await #expect(throws: ScheduleError.self) {
                try await store.update(
                    edited,
                    to: {
                        var d = ScheduleStore.Draft(edited)
                        d.cron = "61 * * * *"
                        return d
                    }())
            }
            #expect(try await store.schedule(id: first.id, tenant: "acme") == edited)
            #expect(try await store.schedule(id: first.id, tenant: "globex") == nil)
            #expect(try await store.list(tenant: "acme", after: nil, limit: 10).count == 3)
            #expect(try await store.delete(id: first.id, tenant: "globex") == false)
            #expect(try await store.delete(id: first.id, tenant: "acme"))
            #expect(try await store.list(tenant: "acme", after: nil, limit: 10).count == 2)
        }
    }
}
