/// The decision for a schedule's due tick: pure, so every rule is tested without a database,
/// and every scheduler racing for the tick computes the same one.
public struct TickPlan: Sendable, Equatable {
    /// The tick decided (Unix seconds).
    public var tick: Int64
    public var decision: TickDecision
    /// Earlier missed ticks folded into this decision without a row of their own (past
    /// `walkLimit` of them, a lower bound).
    public var missed: Int
    /// The tick after `tick`; nil when the schedule never fires again.
    public var next: Int64?

    public init(tick: Int64, decision: TickDecision, missed: Int, next: Int64?) {
        self.tick = tick
        self.decision = decision
        self.missed = missed
        self.next = next
    }

    /// Missed ticks counted one by one before the walk skips ahead.
    static let walkLimit = 10_000

    /// The plan at `now` for a schedule whose next tick is `due`, or nil when it is not due.
    ///
    /// A tick found within `grace` of its time is on time and decided alone (a scheduler a
    /// little late for a fast schedule still makes every tick's job, one decision each). Ticks
    /// older than that passed while no scheduler ran, and are decided together: with
    /// `MissedTickPolicy.skip` the latest of them is recorded `missed`; with `runOnce` it makes
    /// one job for all of them. Either way the schedule goes on from its first tick within
    /// `grace`. A tick that would make a job is `skippedOverlap` instead when `previousOpen`
    /// and the overlap policy is `skip`.
    public static func plan(
        due: Int64, now: Int64, schedule: CronSchedule, missedPolicy: MissedTickPolicy, overlap: OverlapPolicy,
        grace: Int64, previousOpen: Bool
    ) -> TickPlan? {
        guard due <= now else { return nil }
        let overlapDecision: TickDecision = previousOpen && overlap == .skip ? .skippedOverlap : .run
        let late = now - grace
        guard due < late else {
            return TickPlan(tick: due, decision: overlapDecision, missed: 0, next: schedule.nextFire(after: due))
        }
        var latest = due
        var earlier = 0
        var next = schedule.nextFire(after: due)
        while let n = next, n < late {
            latest = n
            earlier += 1
            if earlier == walkLimit, let resume = schedule.nextFire(after: max(n, late - 3_600)), resume < late {
                // Far behind (a per-second schedule after a long outage): the walk resumes an
                // hour before the grace window, and `missed` becomes a lower bound.
                latest = resume
                earlier += 1
            }
            next = schedule.nextFire(after: latest)
        }
        return TickPlan(
            tick: latest, decision: missedPolicy == .skip ? .missed : overlapDecision, missed: earlier, next: next)
    }
}
