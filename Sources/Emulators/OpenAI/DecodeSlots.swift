import Synchronization

/// The capacity model: `count` requests decode at once; the rest wait their turn in arrival
/// order. Also keeps the counts `/metrics` reports.
final class DecodeSlots: Sendable {
    struct Counts: Sendable, Equatable {
        var running: Int
        var queued: Int
        var completed: Int
        var promptTokens: Int
        var completionTokens: Int
        /// Sum over finished requests of the seconds they held a slot.
        var busySeconds: Double
    }

    private struct State {
        var running = 0
        var nextTicket = 0
        /// Waiting tickets in arrival order, and their continuations.
        var order: [Int] = []
        var head = 0
        var waiters: [Int: (request: String, continuation: CheckedContinuation<ContinuousClock.Instant, any Error>)] = [:]
        /// The last `grantsKept` requests given a slot, oldest first: the order a client cannot
        /// see for itself (its answers may arrive in another on a loaded machine).
        var grants: [String] = []
        var completed = 0
        var promptTokens = 0
        var completionTokens = 0
        var busySeconds = 0.0
    }

    let count: Int
    static let grantsKept = 64
    private let state = Mutex(State())

    init(count: Int) {
        self.count = max(1, count)
    }

    var counts: Counts {
        state.withLock {
            Counts(
                running: $0.running, queued: $0.waiters.count, completed: $0.completed, promptTokens: $0.promptTokens,
                completionTokens: $0.completionTokens, busySeconds: $0.busySeconds)
        }
    }

    /// The requests most recently given a slot, oldest first (at most `grantsKept`).
    var grants: [String] { state.withLock { $0.grants } }

    /// Waits for a slot, first come first served; a cancelled waiter leaves the queue. Returns
    /// when the slot was granted: a waiter's task may resume later than that on a loaded machine,
    /// and decoding starts at the grant, as on a real server.
    ///
    /// Taking a ticket and joining the queue are one step under the lock: a release between
    /// the two would otherwise find no waiter and free a slot a later arrival could take first.
    @discardableResult
    func acquire(request: String = "") async throws -> ContinuousClock.Instant {
        let ticket = Mutex<Int?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ContinuousClock.Instant, any Error>) in
                enum Start { case now, queued, cancelled }
                let start = state.withLock { state -> Start in
                    if Task.isCancelled { return .cancelled }
                    if state.running < count && state.waiters.isEmpty {
                        state.running += 1
                        Self.granted(request, &state)
                        return .now
                    }
                    state.nextTicket += 1
                    ticket.withLock { $0 = state.nextTicket }
                    state.waiters[state.nextTicket] = (request, continuation)
                    state.order.append(state.nextTicket)
                    return .queued
                }
                switch start {
                case .now: continuation.resume(returning: .now)
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .queued: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state in ticket.withLock { $0 }.flatMap { state.waiters.removeValue(forKey: $0) } }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Gives a slot back, handing it straight to the longest waiter, and records the work done.
    func release(promptTokens: Int, completionTokens: Int, busySeconds: Double, finished: Bool = true) {
        let next = state.withLock { state -> CheckedContinuation<ContinuousClock.Instant, any Error>? in
            if finished { state.completed += 1 }
            state.promptTokens += promptTokens
            state.completionTokens += completionTokens
            state.busySeconds += busySeconds
            while state.head < state.order.count {
                let ticket = state.order[state.head]
                state.head += 1
                if let waiter = state.waiters.removeValue(forKey: ticket) {
                    compact(&state)
                    Self.granted(waiter.request, &state)
                    return waiter.continuation  // the slot passes on: `running` stays the same
                }
            }
            compact(&state)
            state.running -= 1
            return nil
        }
        next?.resume(returning: .now)
    }

    /// A slot given back by a request that ended early (its client went away).
    func abandon() {
        release(promptTokens: 0, completionTokens: 0, busySeconds: 0, finished: false)
    }

    private static func granted(_ request: String, _ state: inout State) {
        guard !request.isEmpty else { return }
        if state.grants.count == grantsKept { state.grants.removeFirst() }
        state.grants.append(request)
    }

    private func compact(_ state: inout State) {
        if state.head > 1_024 && state.head * 2 > state.order.count {
            state.order.removeFirst(state.head)
            state.head = 0
        }
    }
}
