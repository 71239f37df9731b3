import Broker
import Logging

/// Makes prepared submissions durable, then enqueues them: one record transaction and one
/// enqueue script for all of them.
struct SubmissionCommitter: Sendable {
    let broker: any JobBroker
    let store: (any JobRecordStore)?
    let logger: Logger

    func commit(_ submissions: [JobSubmission]) async throws -> [JobProducer.Receipt] {
        guard let store else {
            let outcomes = try await broker.enqueue(submissions)
            return zip(submissions, outcomes).map { .init(id: $1.id, queue: $0.queue, created: $1.created) }
        }
        let outcomes = try await store.recordAccepted(submissions)
        let fresh = zip(submissions, outcomes).filter { $1.created }.map(\.0)
        if !fresh.isEmpty {
            do {
                _ = try await broker.enqueue(fresh)
            } catch {
                // Durable already: the reconciler enqueues these after its grace period.
                logger.error("recorded \(fresh.count) jobs but could not enqueue them yet: \(error)")
            }
        }
        return zip(submissions, outcomes).map { .init(id: $1.id, queue: $0.queue, created: $1.created) }
    }
}
