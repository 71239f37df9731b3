import Broker
import Logging
import Synchronization
import Tracing

/// Finished attempts waiting to be acknowledged, and the one loop that acknowledges them: all
/// that finished while the previous round trip ran go to the broker in one script call.
final class Acknowledger: Sendable {
    private struct State {
        var items: [Item] = []
        var waiter: CheckedContinuation<Void, Never>?
        var closed = false
    }
    private let state = Mutex(State())

    /// A completion, and the job's span with its `ack` span running until the round trip ends.
    struct Item: Sendable {
        var completion: JobCompletion
        var trace: JobSpan?
        var ack: (any Span)?
    }

    func append(_ completion: JobCompletion, trace: JobSpan? = nil) {
        let item = Item(completion: completion, trace: trace, ack: trace?.startRecording("ack"))
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.items.append(item)
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
                let refused = try await broker.complete(batch.map(\.completion))
                for (item, error) in zip(batch, refused) {
                    if let error { logger.warning("completion of job \(item.completion.lease.jobID) refused: \(error)") }
                    Self.endSpans(item, error: error, batch: batch.count)
                }
            } catch {
                // The leases run out and the jobs are redelivered: at least once, never lost.
                logger.error("could not acknowledge \(batch.count) jobs: \(error)")
                for item in batch { Self.endSpans(item, error: error, batch: batch.count) }
            }
        }
    }

    /// Ends a completion's `ack` span (`batch`: how many jobs its round trip acknowledged) and
    /// then its job's span.
    static func endSpans(_ item: Item, error: (any Error)?, batch: Int) {
        guard let ack = item.ack else { return }
        if let error {
            ack.recordError(error)
            ack.setStatus(SpanStatus(code: .error))
        }
        ack.attributes["job.ack_batch_size"] = batch
        ack.end()
        // A refused or failed acknowledgement: the job is not done (another attempt follows).
        item.trace?.end(failure: error.map { JobFailure(code: "ack_failed", message: "\($0)", disposition: .retry) })
    }

    /// Everything queued, waiting until there is something; empty once closed and drained.
    func takeAll() async -> [Item] {
        while true {
            let (items, closed) = state.withLock { state -> ([Item], Bool) in
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
