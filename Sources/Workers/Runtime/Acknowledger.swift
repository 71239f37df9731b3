import Broker
import Logging
import Synchronization

/// Finished attempts waiting to be acknowledged, and the one loop that acknowledges them: all
/// that finished while the previous round trip ran go to the broker in one script call.
final class Acknowledger: Sendable {
    private struct State {
        var items: [JobCompletion] = []
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }
    private let state = Mutex(State())

    func append(_ completion: JobCompletion) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.items.append(completion)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Acknowledges batches until closed and drained.
    func run(broker: any JobBroker, logger: Logger) async {
        while true {
            let batch = await takeAll()
            if batch.isEmpty { return }
            do {
                let refused = try await broker.complete(batch)
                for (completion, error) in zip(batch, refused) {
                    if let error { logger.warning("completion of job \(completion.lease.jobID) refused: \(error)") }
                }
            } catch {
                // The leases run out and the jobs are redelivered: at least once, never lost.
                logger.error("could not acknowledge \(batch.count) jobs: \(error)")
            }
        }
    }

    /// Everything queued, waiting until there is something; empty once closed and drained.
    func takeAll() async -> [JobCompletion] {
        while true {
            let (items, closed) = state.withLock { state -> ([JobCompletion], Bool) in
                defer { state.items.removeAll(keepingCapacity: true) }
                return (state.items, state.closed)
            }
            if !items.isEmpty || closed { return items }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.items.isEmpty || state.closed { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Takes completions again after a `close` (a worker that runs again).
    func open() {
        state.withLock { $0.closed = false }
    }

    /// Lets `run` return once what is queued is acknowledged.
    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
