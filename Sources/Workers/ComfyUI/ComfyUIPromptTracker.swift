/// Drives `ComfyUICompletion` with real I/O: websocket signals from a mailbox, history and
/// queue polls through the client, on the state machine's schedule.
public struct ComfyUIPromptTracker: Sendable {
    public let client: ComfyUIClient
    public let timing: ComfyUICompletion.Timing
    /// Least time between two progress reports.
    public let progressInterval: Duration

    public init(client: ComfyUIClient, timing: ComfyUICompletion.Timing = .init(), progressInterval: Duration = .milliseconds(500)) {
        self.client = client
        self.timing = timing
        self.progressInterval = progressInterval
    }

    /// Follows `promptID` (already queued) until its history entry appears and returns it,
    /// whatever the end (success, error, interrupt). Throws `ComfyUIError` with
    /// `comfyui_prompt_lost`, `comfyui_silent` or `comfyui_unreachable` when the backend
    /// failed it, and `CancellationError` when the task is cancelled.
    ///
    /// - Parameters:
    ///   - mailbox: subscribed before the prompt was queued, so no early event is missed.
    ///   - connected: whether the websocket was connected when the prompt was queued.
    ///   - onProgress: called with the fraction when it grew, at most every `progressInterval`.
    public func follow(
        promptID: String, queuedAt: ContinuousClock.Instant, mailbox: ComfyUIEventMailbox, connected: Bool,
        onProgress: @Sendable (Double) async -> Void
    ) async throws -> ComfyUIHistoryEntry {
        var machine = ComfyUICompletion(promptID: promptID, timing: timing, queuedAt: queuedAt, websocketConnected: connected)
        var reported = 0.0
        var lastReport: ContinuousClock.Instant?
        while true {
            try Task.checkCancellation()
            feed(mailbox.drain(), into: &machine)
            if machine.fraction > reported, lastReport.map({ ContinuousClock.now - $0 >= progressInterval }) ?? true {
                reported = machine.fraction
                lastReport = .now
                await onProgress(reported)
            }
            switch machine.next(at: .now) {
            case .finished(let entry):
                return entry
            case .lost:
                throw ComfyUIError(
                    .comfyUIPromptLost, "ComfyUI at \(client.baseURL) has prompt \(promptID) neither queued nor in its history",
                    retriable: true)
            case .silent:
                throw ComfyUIError(
                    .comfyUISilent, "prompt \(promptID) made no progress for \(timing.silenceDeadline) on \(client.baseURL)",
                    retriable: true)
            case .unreachable:
                throw ComfyUIError(
                    .comfyUIUnreachable, "ComfyUI at \(client.baseURL) stopped answering for \(timing.unreachableGrace)",
                    retriable: true)
            case .wait(let until, let check):
                let signals = await mailbox.take(until: until)
                feed(signals, into: &machine)
                try Task.checkCancellation()
                // Woken early by the socket: look again before polling.
                if ContinuousClock.now < until { continue }
                await perform(check, promptID: promptID, machine: &machine)
            }
        }
    }

    private func feed(_ signals: [ComfyUISocketSignal], into machine: inout ComfyUICompletion) {
        let now = ContinuousClock.now
        for signal in signals {
            switch signal {
            case .event(let event): machine.receive(event, at: now)
            case .connected: machine.websocketChanged(connected: true)
            case .disconnected: machine.websocketChanged(connected: false)
            }
        }
    }

    private func perform(_ check: ComfyUICompletion.Check, promptID: String, machine: inout ComfyUICompletion) async {
        do {
            switch check {
            case .reevaluate:
                return
            case .queueThenHistory:
                let queue = try await client.queue()
                machine.queueChecked(queue, at: .now)
                fallthrough
            case .history:
                let entry = try await client.history(promptID)
                machine.historyPolled(entry, at: .now)
            }
        } catch {
            // Cancellation is seen at the top of the loop; anything else counts toward unreachable.
            machine.requestFailed(at: .now)
        }
    }
}
