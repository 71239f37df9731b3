/// A parent batch with a window (`JobBroker.setBatchWindow`) and children not yet ended: what a
/// GPU box's mode advice plans its LLM capacity around, earliest due first.
public struct OpenBatch: Sendable, Equatable {
    public var parent: String
    /// When its window closes, ms since 1970.
    public var dueMilliseconds: Int
    /// Its children by state, as the scripts count them.
    public var counts: BatchStateCounts

    public init(parent: String, dueMilliseconds: Int, counts: BatchStateCounts) {
        self.parent = parent
        self.dueMilliseconds = dueMilliseconds
        self.counts = counts
    }

    /// Children still to run: queued or running.
    public var open: Int { counts.queued + counts.running }
}
