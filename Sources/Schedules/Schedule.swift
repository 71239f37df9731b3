import Foundation
public import VelocityTypes

/// A recurring job: a cron expression in a time zone, the job each tick makes, and what the
/// scheduler has done with it so far.
public struct Schedule: Sendable, Equatable {
    /// `sch_` and 32 hex digits.
    public var id: String
    public var tenant: String
    /// Unique within the tenant when set.
    public var name: String?
    public var cron: String
    /// An IANA name (`Europe/London`).
    public var timeZone: String
    /// The job each tick submits: the body `POST /v1/jobs` takes.
    public var job: JSONValue
    public var overlap: OverlapPolicy
    public var missed: MissedTickPolicy
    public var paused: Bool
    /// Bumped by every edit, so a scheduler deciding on an older version loses its claim.
    public var revision: Int
    /// Unix seconds of the next tick; nil when it never fires again.
    public var nextFire: Int64?
    public var lastTick: Int64?
    /// The job the last `run` tick made: what the overlap policy looks at.
    public var lastJobID: String?
    /// Who made it; its jobs are submitted as this actor.
    public var createdBy: String
    public var createdAt: String
    public var updatedAt: String

    public init(
        id: String, tenant: String, name: String?, cron: String, timeZone: String, job: JSONValue,
        overlap: OverlapPolicy = .skip, missed: MissedTickPolicy = .skip, paused: Bool = false, revision: Int = 1,
        nextFire: Int64? = nil, lastTick: Int64? = nil, lastJobID: String? = nil, createdBy: String = "",
        createdAt: String = "", updatedAt: String = ""
    ) {
        self.id = id
        self.tenant = tenant
        self.name = name
        self.cron = cron
        self.timeZone = timeZone
        self.job = job
        self.overlap = overlap
        self.missed = missed
        self.paused = paused
        self.revision = revision
        self.nextFire = nextFire
        self.lastTick = lastTick
        self.lastJobID = lastJobID
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// Its expression in its zone; `validated` also refuses one that never fires again (what a
    /// new or edited schedule must pass, and the scheduler need not repeat at every tick).
    public func cronSchedule(validated: Bool = true) throws(ScheduleError) -> CronSchedule {
        if validated { return try CronSchedule(cron: cron, timeZone: timeZone) }
        guard let zone = TimeZone(identifier: timeZone) else {
            throw ScheduleError(.timeZoneInvalid, "'\(timeZone)' is not a time zone this machine knows")
        }
        return CronSchedule(expression: try CronExpression(cron), timeZone: zone)
    }
}

/// One decided tick of a schedule: the link between a schedule, a tick and the job it made.
public struct ScheduleRun: Sendable, Equatable {
    public var scheduleID: String
    /// Unix seconds.
    public var tick: Int64
    public var decision: TickDecision
    /// The job it made (`run` only).
    public var jobID: String?
    /// Earlier ticks folded into this one without a job.
    public var missed: Int
    public var decidedAt: String
    /// The scheduler (gateway) that won the tick.
    public var decidedBy: String
    /// When the job was recorded; nil while it is still to be submitted.
    public var submittedAt: String?
    /// Why the job was refused when the tick came (its kind no longer exists, …).
    public var error: String?
}
