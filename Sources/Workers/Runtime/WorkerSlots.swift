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
    /// to `limit`. After `patience` one free slot is enough: slots held by long jobs never keep
    /// the others idle for longer than that.
    func acquire(atLeast minimum: Int = 1, upTo limit: Int, patience: Duration = .milliseconds(2)) async -> Int {
        let wanted = max(1, min(minimum, limit))
        let deadline = ContinuousClock.now.advanced(by: patience)
        // Wakes the wait below at the deadline, when it waits for more than one slot.
        let timer =
            wanted > 1
            ? Task { [weak self] in
                try? await Task.sleep(until: deadline)
                self?.wake()
            } : nil
        defer { timer?.cancel() }
        while true {
            let minimum = ContinuousClock.now >= deadline ? 1 : wanted
            let taken: Int = state.withLock { state in
                guard state.free >= minimum else { return 0 }
                let n = min(state.free, limit)
                state.free -= n
                return n
            }
            if taken > 0 { return taken }
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    // Looked at again under the lock: a timer that fired since is not missed.
                    if state.free >= (ContinuousClock.now >= deadline ? 1 : minimum) { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Resumes the waiting `acquire`, which looks again.
    private func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
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
