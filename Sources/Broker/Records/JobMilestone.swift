/// A running job reaching 25, 50 or 75 % of its work, for a webhook that asks for
/// `job.progress`: written by the heartbeat script into the queue's outbox beside the state
/// records, and applied by `JobRecordSync` (`JobRecordStore.applyMilestones`).
public struct JobMilestone: Sendable, Equatable, Decodable {
    public var id: String
    /// 25, 50 or 75.
    public var milestone: Int
    /// Redis time it was reached, ms.
    public var at: Int

    public init(id: String, milestone: Int, at: Int) {
        self.id = id
        self.milestone = milestone
        self.at = at
    }
}
