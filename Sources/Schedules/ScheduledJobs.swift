/// Where a schedule's ticks become jobs: the gateway submits them through its producer.
public protocol ScheduledJobs: Sendable {
    /// Records and enqueues the job of `schedule`'s `tick` (Unix seconds) under `jobID`.
    /// Idempotent on the id: a tick whose scheduler died after recording it is submitted again.
    /// Throws `ScheduleError(.scheduledJobRefused)` when the job can never be accepted; any
    /// other error leaves the tick to be submitted again later.
    func submit(_ schedule: Schedule, tick: Int64, jobID: String) async throws

    /// Whether the job is still queued, waiting for a retry or running.
    func isOpen(jobID: String) async throws -> Bool
}
