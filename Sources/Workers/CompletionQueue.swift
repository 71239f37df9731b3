import Broker
import Synchronization

/// Finished attempts waiting to be acknowledged; the acknowledging loop takes them in batches.
final class CompletionQueue: Sendable {
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

    func close() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.closed = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
