import Synchronization

/// Counts free handler slots; the claim loop waits here instead of polling.
final class WorkerSlots: Sendable {
    private struct State {
        var free: Int
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state: Mutex<State>

    init(_ count: Int) {
        state = Mutex(State(free: count))
    }

    /// Waits for at least one free slot and takes all that are free, up to `limit`.
    func acquire(upTo limit: Int) async -> Int {
        while true {
            let taken: Int = state.withLock { state in
                let n = min(state.free, limit)
                state.free -= n
                return n
            }
            if taken > 0 { return taken }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.free > 0 { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    func release(_ count: Int = 1) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.free += count
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
