/// What a tick does when the schedule's previous job is still queued or running.
public enum OverlapPolicy: String, Sendable, Codable, CaseIterable {
    /// The tick is recorded as `skipped_overlap` and makes no job.
    case skip
    /// The tick makes its job anyway.
    case allow
}

/// What happens to ticks that passed while no scheduler ran (every gateway down), found
/// later than `Scheduler.Configuration.grace` after their time.
public enum MissedTickPolicy: String, Sendable, Codable, CaseIterable {
    /// They make no job; the schedule goes on from its next tick.
    case skip
    /// The latest of them makes one job (however many passed); the schedule goes on from there.
    case runOnce = "run_once"
}

/// How a tick was decided, as its run row records it.
public enum TickDecision: String, Sendable, Codable, CaseIterable {
    /// It made a job.
    case run
    /// The previous job was still open and the overlap policy is `skip`.
    case skippedOverlap = "skipped_overlap"
    /// It was found too late and the missed-tick policy is `skip`.
    case missed
}
