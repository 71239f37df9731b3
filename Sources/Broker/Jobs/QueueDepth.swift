/// How much work a queue holds, by state, and how long its oldest job has waited.
public struct QueueDepth: Sendable, Equatable, Codable {
    public var queue: String
    /// Ready to be claimed now.
    public var queued: Int
    /// Waiting for a due time: delayed jobs and retries.
    public var scheduled: Int
    /// Claimed and running (starting or processing).
    public var active: Int
    public var dead: Int
    /// Finished jobs still retained (succeeded, failed, canceled).
    public var finished: Int
    /// Age of the job that has waited longest in `queued`, in ms (0 when none waits).
    public var oldestQueuedMilliseconds: Int
    public var paused: Bool
    /// Lifetime counters, for rates.
    public var enqueuedTotal: Int
    public var succeededTotal: Int
    public var failedTotal: Int
    public var canceledTotal: Int
    public var retriedTotal: Int
    public var recoveredTotal: Int
    public var deadTotal: Int
}
