import Foundation
import Schedules
import VelocityTypes

/// A schedule as the API shows it.
struct ScheduleView: Encodable {
    struct URLs: Encodable {
        var get: String
        var runs: String
    }

    var object = "schedule"
    var id: String
    var name: String?
    var cron: String
    var time_zone: String
    var job: JSONValue
    var overlap: String
    var missed: String
    var paused: Bool
    var revision: Int
    /// The next tick in UTC, and on the schedule's own clock (with its offset that day); nil
    /// while paused or when it never fires again.
    var next_run_at: String?
    var next_run_local: String?
    var last_tick_at: String?
    var last_job_id: String?
    var created_by: String
    var created_at: String
    var updated_at: String
    var urls: URLs

    init(_ schedule: Schedule) {
        id = schedule.id
        name = schedule.name
        cron = schedule.cron
        time_zone = schedule.timeZone
        job = schedule.job
        overlap = schedule.overlap.rawValue
        missed = schedule.missed.rawValue
        paused = schedule.paused
        revision = schedule.revision
        let zone = TimeZone(identifier: schedule.timeZone)
        // A paused schedule has no next run: resuming computes it from then.
        let next = schedule.paused ? nil : schedule.nextFire
        next_run_at = next.map { Self.text($0, in: nil) }
        next_run_local = next.map { Self.text($0, in: zone) }
        last_tick_at = schedule.lastTick.map { Self.text($0, in: nil) }
        last_job_id = schedule.lastJobID
        created_by = schedule.createdBy
        created_at = schedule.createdAt
        updated_at = schedule.updatedAt
        urls = URLs(get: "/v1/schedules/\(schedule.id)", runs: "/v1/schedules/\(schedule.id)/runs")
    }

    /// ISO 8601: `…Z` in UTC, `…+01:00` in a zone.
    static func text(_ seconds: Int64, in zone: TimeZone?) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = zone ?? TimeZone(identifier: "UTC")!
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

/// One decided tick, linked to the job it made.
struct ScheduleRunView: Encodable {
    var object = "schedule_run"
    var tick_at: String
    /// `run`, `skipped_overlap` or `missed`.
    var decision: String
    var job_id: String?
    var job_url: String?
    /// Earlier ticks folded into this one without a job (after an outage).
    var missed: Int
    var decided_at: String
    var decided_by: String
    var submitted_at: String?
    var error: String?

    init(_ run: ScheduleRun) {
        tick_at = ScheduleView.text(run.tick, in: nil)
        decision = run.decision.rawValue
        job_id = run.jobID
        job_url = run.jobID.map { "/v1/jobs/\($0)" }
        missed = run.missed
        decided_at = run.decidedAt
        decided_by = run.decidedBy
        submitted_at = run.submittedAt
        error = run.error
    }
}
