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

    /// Waits for at least `minimum` free slots (one by default) and takes all that are free, up
    /// to `limit`.
    func acquire(atLeast minimum: Int = 1, upTo limit: Int) async -> Int {
        let minimum = max(1, min(minimum, limit))
        while true {
            let taken: Int = state.withLock { state in
                guard state.free >= minimum else { return 0 }
                let n = min(state.free, limit)
                state.free -= n
                return n
            }
            if taken > 0 { return taken }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.free >= minimum { return true }
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
