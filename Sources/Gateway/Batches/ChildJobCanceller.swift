import Broker
import Logging

/// Cancels the children of a parent (an OpenAI batch, an Oracle synthetic job) that have not
/// ended: those not started end `canceled`, running ones are asked to stop.
struct ChildJobCanceller: Sendable {
    let records: any JobRecordStore
    let broker: any JobBroker
    let logger: Logger

    /// How many open children were sent a cancel. A child whose cancel fails is logged and
    /// left for the next call: callers repeat until the children have ended.
    @discardableResult
    func cancelOpen(parentBatch: String) async throws -> Int {
        var sent = 0
        for child in try await records.openChildren(parentBatch: parentBatch) {
            do {
                _ = try await broker.cancel(queue: child.queue, jobID: child.id)
                sent += 1
            } catch {
                logger.warning(
                    "could not cancel a child job",
                    metadata: ["parent": "\(parentBatch)", "job": "\(child.id)", "error": "\(error)"])
            }
        }
        return sent
    }
}
