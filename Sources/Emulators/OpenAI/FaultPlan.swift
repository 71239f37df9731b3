import Synchronization

/// Failures the emulator injects into its next chat completions, set through the test-only
/// `/emulator/faults` route: error statuses (429, 503, 500…), added delay, dropped connections.
final class FaultPlan: Sendable {
    /// One injected behaviour.
    enum Fault: Sendable, Equatable {
        /// Answer with this status and the server's error shape; `Retry-After` when given.
        case status(Int, retryAfterSeconds: Int?)
        /// Wait this long before handling the request normally.
        case delay(milliseconds: Int)
        /// Send the response head, then close the connection without a body.
        case drop
    }

    private struct Entry {
        var fault: Fault
        var remaining: Int
    }

    private let entries = Mutex<[Entry]>([])

    /// Queues `fault` for the next `count` requests (after the faults already queued).
    func add(_ fault: Fault, count: Int) {
        guard count > 0 else { return }
        entries.withLock { $0.append(Entry(fault: fault, remaining: count)) }
    }

    func clear() {
        entries.withLock { $0.removeAll() }
    }

    /// The fault for the request arriving now, if any.
    func next() -> Fault? {
        entries.withLock { entries in
            guard !entries.isEmpty else { return nil }
            let fault = entries[0].fault
            entries[0].remaining -= 1
            if entries[0].remaining == 0 { entries.removeFirst() }
            return fault
        }
    }

    var pending: Int { entries.withLock { $0.reduce(0) { $0 + $1.remaining } } }
}
