import Broker
import Logging

/// Cancels the children of a parent (an OpenAI batch, an Oracle synthetic job) that have not
/// ended: those not started end `canceled`, running ones are asked to stop.
struct ChildJobCanceller: Sendable {
    let records: any JobRecordStore
    let broker: any JobBroker
    let logger: Logger

    /// Cancels sent at once: a parent of 10,000 children is canceled in the time of a few
    /// hundred round trips, not 10,000 of them one after the other.
    static let inFlight = 32

    /// How many open children were sent a cancel. A child whose cancel fails is logged and
    /// left for the next call: callers repeat until the children have ended.
    @discardableResult
    func cancelOpen(parentBatch: String) async throws -> Int {
        let children = try await records.openChildren(parentBatch: parentBatch)
        let (broker, logger) = (broker, logger)
        return await withTaskGroup(of: Bool.self) { group in
            var sent = 0
            for (index, child) in children.enumerated() {
                if index >= Self.inFlight, await group.next() == true { sent += 1 }
                group.addTask {
                    do {
                        _ = try await broker.cancel(queue: child.queue, jobID: child.id)
                        return true
                    } catch {
                        logger.warning(
                            "could not cancel a child job",
                            metadata: ["parent": "\(parentBatch)", "job": "\(child.id)", "error": "\(error)"])
                        return false
                    }
                }
            }
            for await cancelled in group where cancelled { sent += 1 }
            return sent
        }
    }
}
