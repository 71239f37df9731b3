import Synchronization

/// What the websocket tells its listeners.
public enum ComfyUISocketSignal: Sendable, Equatable {
    case event(ComfyUIEvent)
    case connected
    case disconnected
}

/// Fans the websocket's signals out to the mailboxes of the prompts being tracked.
public final class ComfyUIEventHub: Sendable {
    private struct State {
        var mailboxes: [Int: ComfyUIEventMailbox] = [:]
        var nextID = 0
        var connected = false
    }
    private let state = Mutex(State())

    public init() {}

    /// Whether the websocket is connected now.
    public var isConnected: Bool { state.withLock { $0.connected } }

    /// A mailbox that receives every signal from now on, until `unsubscribe`.
    public func subscribe() -> ComfyUIEventMailbox {
        state.withLock { state in
            state.nextID += 1
            let mailbox = ComfyUIEventMailbox(id: state.nextID)
            state.mailboxes[state.nextID] = mailbox
            return mailbox
        }
    }

    public func unsubscribe(_ mailbox: ComfyUIEventMailbox) {
        _ = state.withLock { $0.mailboxes.removeValue(forKey: mailbox.id) }
    }

    public func publish(_ signal: ComfyUISocketSignal) {
        let targets = state.withLock { state -> [ComfyUIEventMailbox] in
            switch signal {
            case .connected: state.connected = true
            case .disconnected: state.connected = false
            case .event: break
            }
            return Array(state.mailboxes.values)
        }
        for mailbox in targets { mailbox.post(signal) }
    }
}

/// Signals for one consumer, buffered until it takes them.
public final class ComfyUIEventMailbox: Sendable {
    private struct State {
        var items: [ComfyUISocketSignal] = []
        var waiter: CheckedContinuation<Void, Never>?
    }
    /// Events are hints: past this many unread, the oldest are dropped.
    static let capacity = 4_096
    let id: Int
    private let state = Mutex(State())

    init(id: Int) {
        self.id = id
    }

    func post(_ signal: ComfyUISocketSignal) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.items.count >= Self.capacity { state.items.removeFirst(state.items.count - Self.capacity + 1) }
            state.items.append(signal)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Everything posted so far, without waiting.
    public func drain() -> [ComfyUISocketSignal] {
        state.withLock { state in
            defer { state.items.removeAll(keepingCapacity: true) }
            return state.items
        }
    }

    /// What is posted by `deadline`: returns as soon as there is something, or at the deadline
    /// with nothing, or when the calling task is cancelled.
    public func take(until deadline: ContinuousClock.Instant) async -> [ComfyUISocketSignal] {
        let ready = drain()
        if !ready.isEmpty || ContinuousClock.now >= deadline { return ready }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            group.addTask { await self.waitForItems() }
            await group.next()
            group.cancelAll()
        }
        return drain()
    }

    private func waitForItems() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.items.isEmpty || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
