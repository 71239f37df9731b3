/// A parent batch's children by state, as the broker's scripts keep them: counted as each child
/// moves, never recounted. Live (running, queued) where `BatchChildCounts` has only what reached
/// the system of record.
public struct BatchStateCounts: Sendable, Equatable, Codable {
    /// Waiting to run: queued, delayed or waiting for a retry.
    public var queued = 0
    public var running = 0
    public var succeeded = 0
    public var failed = 0
    public var canceled = 0
    public var dead = 0

    public init(queued: Int = 0, running: Int = 0, succeeded: Int = 0, failed: Int = 0, canceled: Int = 0, dead: Int = 0) {
        self.queued = queued
        self.running = running
        self.succeeded = succeeded
        self.failed = failed
        self.canceled = canceled
        self.dead = dead
    }

    public var total: Int { queued + running + ended }
    public var ended: Int { succeeded + failed + canceled + dead }
    /// Ended children over all of them; 0 for a batch with none.
    public var progress: Double { total == 0 ? 0 : Double(ended) / Double(total) }
}
