import ServiceLifecycle
import Synchronization

/// The dispatcher's live AIMD window: how many requests it may have at the server, how many
/// it has, and the claim loop waiting for room.
final class InFlightWindow: Sendable {
    enum Mode: String, Sendable {
        /// No reading yet.
        case unknown
        /// The server's queue gauges drive the window.
        case metrics
        /// The server has no usable metrics: latency drives the window.
        case latency
    }

    private struct State {
        var window: AIMDWindow
        var inFlight = 0
        var mode = Mode.unknown
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state: Mutex<State>

    init(_ window: AIMDWindow) {
        state = Mutex(State(window: window))
    }

    var limit: Int { state.withLock { $0.window.limit } }
    var inFlight: Int { state.withLock { $0.inFlight } }
    var mode: Mode { state.withLock { $0.mode } }
    var snapshot: (limit: Int, inFlight: Int, mode: Mode) { state.withLock { ($0.window.limit, $0.inFlight, $0.mode) } }

    /// Waits until the window has room, then takes up to `upTo` places.
    func acquire(upTo: Int) async -> Int {
        while true {
            let taken = state.withLock { state -> Int in
                let room = min(upTo, state.window.limit - state.inFlight)
                guard room > 0 else { return 0 }
                state.inFlight += room
                return room
            }
            if taken > 0 { return taken }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state -> Bool in
                        if Task.isCancelled || state.window.limit > state.inFlight { return true }
                        state.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                wake()
            }
            if Task.isCancelled { return 0 }
        }
    }

    /// Gives `count` places back.
    func release(_ count: Int = 1) {
        guard count > 0 else { return }
        state.withLock { $0.inFlight -= count }
        wake()
    }

    func observe(_ load: ServerLoad) -> AIMDWindow.Change {
        let change = state.withLock { state -> AIMDWindow.Change in
            state.mode = .metrics
            return state.window.observe(load, inFlight: state.inFlight)
        }
        wake()
        return change
    }

    func noMetrics() {
        state.withLock { $0.mode = .latency }
    }

    func observeLatency(secondsPerToken: Double) -> AIMDWindow.Change {
        let change = state.withLock { state -> AIMDWindow.Change in
            guard state.mode == .latency else { return .held }
            return state.window.observeLatency(secondsPerToken: secondsPerToken, inFlight: state.inFlight)
        }
        wake()
        return change
    }

    func observeOverload() -> AIMDWindow.Change {
        state.withLock { $0.window.observeOverload(inFlight: $0.inFlight) }
    }

    private func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}

/// Whether the LLM server answers; while it does not, nothing is claimed.
final class ServerGate: Sendable {
    private struct State {
        var down: String?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    var downReason: String? { state.withLock { $0.down } }

    /// Marks the server down; true if it was up.
    func markDown(_ reason: String) -> Bool {
        state.withLock { state in
            defer { state.down = reason }
            return state.down == nil
        }
    }

    /// Marks the server up and wakes the claim loop; true if it was down.
    func markUp() -> Bool {
        let (was, waiters) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
            defer {
                state.down = nil
                state.waiters = []
            }
            return (state.down != nil, state.waiters)
        }
        for waiter in waiters { waiter.resume() }
        return was
    }

    /// Returns once the server is up, or the task is cancelled or shutting down (`wakeAll`
    /// wakes a waiter that was already waiting then).
    func waitUntilUp() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.down == nil || Task.isCancelled || Task.isShuttingDownGracefully { return true }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Wakes waiters without changing the state (shutdown).
    func wakeAll() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
