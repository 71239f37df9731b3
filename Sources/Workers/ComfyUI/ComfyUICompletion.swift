/// Follows one prompt to its end, from two sources: websocket events (fast, but only a hint:
/// the socket can stall for good while prompts keep completing) and polls of
/// `/history/{id}` (the authority: the prompt is done when its id is there).
///
/// A pure state machine: the caller feeds it what it saw, with the time it saw it, and asks
/// `next(at:)` what to do. It never decides an outcome from the websocket; events only make
/// it poll sooner (`execution_success`, `execution_error`, `execution_interrupted`,
/// `executing` with a null node) and report progress. Polls are slow while the socket
/// reports progress, faster once it goes quiet or drops, and then the queue is checked too,
/// so a prompt ComfyUI lost (it restarted: history and queue are in memory) is noticed.
public struct ComfyUICompletion: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public struct Timing: Sendable, Equatable {
        /// Poll interval just after the websocket said the prompt ended, until history has it.
        public var settlePoll: Duration = .milliseconds(50)
        /// Poll interval while the websocket is quiet or down.
        public var quietPoll: Duration = .milliseconds(500)
        /// Poll interval while the websocket reports the prompt's progress.
        public var activePoll: Duration = .seconds(5)
        /// Websocket silence after which it no longer counts as active.
        public var quietPeriod: Duration = .seconds(2)
        /// Queue check interval while quiet (is the prompt still there at all?).
        public var queueCheck: Duration = .seconds(2)
        /// No sign of life for this long (no event about the prompt, not waiting in the queue)
        /// and the render is stuck. Generous: a render longer than this with a dead websocket
        /// would be taken for stuck.
        public var silenceDeadline: Duration = .seconds(300)
        /// Polls failing for this long: ComfyUI is unreachable.
        public var unreachableGrace: Duration = .seconds(5)

        public init() {}
    }

    /// What to do when the wait is over.
    public enum Check: Sendable, Equatable {
        case history
        /// `GET /queue`, then `GET /history/{id}` (in that order: a prompt absent from the
        /// queue and then from history was lost, since ComfyUI moves it from one to the other
        /// under one lock).
        case queueThenHistory
        /// Nothing to fetch; a deadline passed and the state needs a new look.
        case reevaluate
    }

    public enum Step: Sendable, Equatable {
        /// History has the prompt.
        case finished(ComfyUIHistoryEntry)
        /// ComfyUI has the prompt neither queued nor in history.
        case lost
        /// No sign of life for `silenceDeadline`.
        case silent
        /// Polls have failed for `unreachableGrace`.
        case unreachable
        /// Wait until then (or until an event arrives), then do the check.
        case wait(until: Instant, then: Check)
    }

    public let promptID: String
    public let timing: Timing
    /// When the prompt was queued.
    public let queuedAt: Instant
    /// Events without a prompt id (a reconnect's `executing`, old builds) are taken as this
    /// prompt's: true when it is the only prompt its client has in ComfyUI.
    public let ownsAnonymousEvents: Bool

    public private(set) var entry: ComfyUIHistoryEntry?
    /// Progress from 0 to 1, never going back.
    public private(set) var fraction: Double = 0
    public private(set) var executionStarted = false
    public private(set) var websocketConnected: Bool
    public private(set) var endSignalledAt: Instant?
    private var lastSignOfLife: Instant
    private var lastEventAt: Instant?
    private var lastHistoryPollAt: Instant?
    private var lastQueueCheckAt: Instant?
    private var absentFromQueueAt: Instant?
    private var lost = false
    private var failingSince: Instant?

    public init(
        promptID: String, timing: Timing = Timing(), queuedAt: Instant, websocketConnected: Bool,
        ownsAnonymousEvents: Bool = true
    ) {
        self.promptID = promptID
        self.timing = timing
        self.queuedAt = queuedAt
        self.websocketConnected = websocketConnected
        self.ownsAnonymousEvents = ownsAnonymousEvents
        lastSignOfLife = queuedAt
    }

    /// Takes a websocket event; returns true when `fraction` grew.
    @discardableResult
    public mutating func receive(_ event: ComfyUIEvent, at now: Instant) -> Bool {
        if case .status = event { return false }
        let named = event.promptID
        guard named == promptID || (named == nil && ownsAnonymousEvents) else { return false }
        lastEventAt = now
        lastSignOfLife = now
        switch event {
        case .executionStart:
            executionStarted = true
            return raise(to: 0.02)
        case .executing(_, let node):
            if node == nil {
                // Only a named end counts: an anonymous one may be another prompt's.
                if named != nil { signalEnd(at: now) }
                return false
            }
            executionStarted = true
            return false
        case .progress(_, _, let value, let max):
            executionStarted = true
            guard max > 0 else { return false }
            return raise(to: 0.05 + 0.85 * min(1, Swift.max(0, value / max)))
        case .executionSuccess:
            signalEnd(at: now)
            return raise(to: 0.95)
        case .executionError, .executionInterrupted:
            signalEnd(at: now)
            return false
        case .executionCached, .executed, .progressState, .other, .status:
            return false
        }
    }

    public mutating func websocketChanged(connected: Bool) {
        websocketConnected = connected
    }

    /// The answer of `GET /queue`.
    public mutating func queueChecked(_ queue: ComfyUIQueueSnapshot, at now: Instant) {
        failingSince = nil
        lastQueueCheckAt = now
        if queue.contains(promptID) {
            absentFromQueueAt = nil
            // Waiting behind another prompt is not being stuck.
            if queue.pending.contains(promptID) { lastSignOfLife = now }
        } else {
            absentFromQueueAt = absentFromQueueAt ?? now
        }
    }

    /// The answer of `GET /history/{id}`: the entry, or nil for `{}`.
    public mutating func historyPolled(_ entry: ComfyUIHistoryEntry?, at now: Instant) {
        failingSince = nil
        lastHistoryPollAt = now
        if let entry {
            self.entry = entry
            if entry.end == .succeeded { fraction = 1 }
        } else if let absent = absentFromQueueAt, absent <= now {
            lost = true
        }
    }

    /// A poll (history or queue) that got no answer.
    public mutating func requestFailed(at now: Instant) {
        failingSince = failingSince ?? now
        lastHistoryPollAt = now
        lastQueueCheckAt = now
    }

    /// What to do next.
    public func next(at now: Instant) -> Step {
        if let entry { return .finished(entry) }
        if lost { return .lost }
        if let failingSince, now - failingSince >= timing.unreachableGrace { return .unreachable }
        let silenceEnds = lastSignOfLife + timing.silenceDeadline
        if now >= silenceEnds { return .silent }

        let lastPoll = lastHistoryPollAt ?? queuedAt
        let quietSince = (lastEventAt ?? queuedAt) + timing.quietPeriod
        var check = Check.history
        var due: Instant
        if let ended = endSignalledAt, now - ended < timing.quietPeriod {
            // The socket said it ended: history should have it within moments.
            due = lastHistoryPollAt.map { $0 < ended ? now : $0 + timing.settlePoll } ?? now
        } else if !websocketConnected || now >= quietSince {
            due = lastPoll + timing.quietPoll
            let queueDue = (lastQueueCheckAt ?? queuedAt) + timing.queueCheck
            if queueDue <= Swift.max(due, now) {
                due = Swift.min(due, queueDue)
                check = .queueThenHistory
            }
        } else {
            due = lastPoll + timing.activePoll
            if quietSince < due {
                // Wake when the socket would count as quiet, to poll faster from then on.
                due = quietSince
                check = .reevaluate
            }
        }
        if silenceEnds < due { return .wait(until: silenceEnds, then: .reevaluate) }
        return .wait(until: Swift.max(due, now), then: check)
    }

    private mutating func signalEnd(at now: Instant) {
        if endSignalledAt == nil { endSignalledAt = now }
    }

    private mutating func raise(to value: Double) -> Bool {
        guard entry == nil, value > fraction else { return false }
        fraction = value
        return true
    }
}
