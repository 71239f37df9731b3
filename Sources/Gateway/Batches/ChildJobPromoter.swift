import Broker

/// Promotes the children of a parent (an OpenAI batch, an Oracle synthetic job) that have not
/// ended out of the backfill band, as the parent's completion window nears (`BatchWindow`).
struct ChildJobPromoter: Sendable {
    let records: any JobRecordStore
    let broker: any JobBroker

    /// How many open children took `priority`; the broker skips those that ended meanwhile.
    func promoteOpen(parentBatch: String, priority: Int) async throws -> Int {
        let open = try await records.openChildren(parentBatch: parentBatch)
        var promoted = 0
        for (queue, children) in Dictionary(grouping: open, by: \.queue) {
            promoted += try await broker.reprioritize(queue: queue, ids: children.map(\.id), priority: priority)
        }
        return promoted
    }
}
