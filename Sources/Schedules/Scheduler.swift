import Broker
public import Foundation
public import Logging
import VelocityTypes

/// Turns due ticks into jobs, once each, however many schedulers run.
///
/// A pass reads the due schedules, computes each one's `TickPlan`, and claims it with
/// `ScheduleStore.claim`: one statement, so of several schedulers (gateways) reading the same
/// tick exactly one wins and the others change nothing. The winner then submits the job
/// under the id its claim recorded. A scheduler that dies between the claim and the submit
/// leaves a run without a submitted job; any scheduler's next pass submits it once it is
/// `resubmitAfter` old, and the producer's records make a second submit of that id a no-op.
public struct Scheduler: Sendable {
    public struct Configuration: Sendable {
        /// Ticks found later than this after their time count as missed (`MissedTickPolicy`).
        public var grace: Duration = .seconds(60)
        /// Due schedules decided per pass.
        public var batch = 100
        /// How old an unsubmitted run must be before another pass submits it.
        public var resubmitAfter: Duration = .seconds(10)
        /// Hears each tick this scheduler decided and how late after its time (the gateway's
        /// metrics); called on the scheduler's task, keep it quick.
        public var onDecided: @Sendable (TickDecision, Duration) -> Void = { _, _ in }
        /// Names this scheduler in the runs it decides.
        public var name = ProcessInfo.processInfo.hostName + ":" + String(ProcessInfo.processInfo.processIdentifier)

        public init() {}
    }

    /// What one pass did.
    public struct Pass: Sendable {
        public struct Decided: Sendable, Equatable {
            public var scheduleID: String
            public var plan: TickPlan
            /// The job it made (`run` only).
            public var jobID: String?
        }

        /// Ticks this scheduler decided.
        public var decided: [Decided] = []
        /// Ticks another scheduler (or an edit) decided first.
        public var lost = 0
        /// Unsubmitted runs of earlier passes submitted now.
        public var resubmitted = 0
        /// Due schedules left for a later pass: their state could not be read (a job's
        /// openness, a zone this machine lacks) or their claim failed.
        public var undecided = 0
        public var failed = 0
    }

    public let store: ScheduleStore
    public let jobs: any ScheduledJobs
    public let configuration: Configuration
    let logger: Logger

    public init(store: ScheduleStore, jobs: any ScheduledJobs, configuration: Configuration = Configuration(), logger: Logger) {
        self.store = store
        self.jobs = jobs
        self.configuration = configuration
        self.logger = logger
    }

    /// Decides every tick due at `now`, then submits what earlier passes left unsubmitted.
    public func pass(now: Date) async throws -> Pass {
        let seconds = Int64(now.timeIntervalSince1970.rounded(.down))
        var pass = Pass()
        for due in try await store.due(now: seconds, limit: configuration.batch) {
            // A schedule faster than the passes has several ticks due: each is decided alone.
            var schedule = due
            for _ in 0..<Self.ticksPerPass {
                guard let due = schedule.nextFire, due <= seconds else { break }
                let decision: (plan: TickPlan, jobID: String?, claimed: Bool)?
                do {
                    decision = try await decide(schedule, now: seconds)
                } catch {
                    // One schedule's failure must not hold up the others behind it.
                    logger.warning("schedule \(schedule.id) not decided this pass: \(error)")
                    pass.failed += 1
                    break
                }
                guard let decided = decision else {
                    pass.undecided += 1
                    break
                }
                if decided.claimed {
                    configuration.onDecided(decided.plan.decision, .seconds(max(0, seconds - decided.plan.tick)))
                    pass.decided.append(Pass.Decided(scheduleID: schedule.id, plan: decided.plan, jobID: decided.jobID))
                } else {
                    pass.lost += 1
                    break
                }
                schedule.nextFire = decided.plan.next
                schedule.lastTick = decided.plan.tick
                schedule.lastJobID = decided.jobID ?? schedule.lastJobID
            }
        }
        let stale = try await store.unsubmitted(olderThan: Double(configuration.resubmitAfter.milliseconds) / 1_000)
        for (schedule, run) in stale {
            guard let jobID = run.jobID else { continue }
            logger.warning("schedule \(schedule.id) tick \(run.tick): job \(jobID) was not submitted; submitting it now")
            if await submit(schedule, tick: run.tick, jobID: jobID) { pass.resubmitted += 1 }
        }
        return pass
    }

    /// Ticks of one schedule decided in one pass, at most.
    static let ticksPerPass = 1_000

    /// Plans and claims `schedule`'s due tick, and submits its job if this scheduler won it;
    /// nil when it cannot be decided now (its state cannot be read) or is not due.
    func decide(_ schedule: Schedule, now seconds: Int64) async throws -> (plan: TickPlan, jobID: String?, claimed: Bool)? {
        guard let due = schedule.nextFire, due <= seconds else { return nil }
        let cron: CronSchedule
        do {
            cron = try schedule.cronSchedule(validated: false)
        } catch {
            // Only a zone this machine's tzdata lacks gets here: another scheduler may know it.
            logger.error("schedule \(schedule.id) cannot be read here: \(error)")
            return nil
        }
        var previousOpen = false
        if schedule.overlap == .skip, let last = schedule.lastJobID {
            do {
                previousOpen = try await jobs.isOpen(jobID: last)
            } catch {
                logger.warning("schedule \(schedule.id): cannot tell whether job \(last) is open: \(error); later")
                return nil
            }
        }
        guard
            let plan = TickPlan.plan(
                due: due, now: seconds, schedule: cron, missedPolicy: schedule.missed, overlap: schedule.overlap,
                grace: Int64(configuration.grace.components.seconds), previousOpen: previousOpen)
        else { return nil }
        let jobID = plan.decision == .run ? JobID.make() : nil
        guard try await store.claim(schedule, plan: plan, jobID: jobID, by: configuration.name) else {
            return (plan, jobID, false)
        }
        if plan.missed > 0 || plan.decision != .run {
            logger.info(
                "schedule \(schedule.id) tick \(plan.tick): \(plan.decision.rawValue), \(plan.missed) earlier tick(s) folded in")
        }
        if let jobID { await submit(schedule, tick: plan.tick, jobID: jobID) }
        return (plan, jobID, true)
    }

    /// Submits one tick's job and marks its run; false when it must be tried again later.
    @discardableResult
    func submit(_ schedule: Schedule, tick: Int64, jobID: String) async -> Bool {
        do {
            try await jobs.submit(schedule, tick: tick, jobID: jobID)
            try await store.markSubmitted(scheduleID: schedule.id, tick: tick)
            return true
        } catch let error as ScheduleError where error.code == .scheduledJobRefused {
            logger.error("schedule \(schedule.id) tick \(tick): its job was refused: \(error.message)")
            try? await store.markSubmitted(scheduleID: schedule.id, tick: tick, error: error.message)
            return true
        } catch {
            logger.warning("schedule \(schedule.id) tick \(tick): job \(jobID) not submitted yet: \(error)")
            return false
        }
    }
}
