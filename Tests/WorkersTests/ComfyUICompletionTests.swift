import Testing
import Workers

/// The completion state machine fed with event sequences and poll answers at chosen times:
/// no I/O, no clock but the instants given.
@Suite("ComfyUI completion tracking")
struct ComfyUICompletionTests {
    let id = "0190a5c2-7b1e-7c3d-8e4f-5a6b7c8d9e0f"
    let other = "0190a5c2-7b1e-7c3d-8e4f-000000000001"
    let t0 = ContinuousClock.now

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { t0 + .milliseconds(milliseconds) }

    var timing: ComfyUICompletion.Timing {
        var timing = ComfyUICompletion.Timing()
        timing.settlePoll = .milliseconds(50)
        timing.quietPoll = .milliseconds(500)
        timing.activePoll = .seconds(5)
        timing.quietPeriod = .seconds(2)
        timing.queueCheck = .seconds(2)
        timing.silenceDeadline = .seconds(60)
        timing.unreachableGrace = .seconds(5)
        return timing
    }

    func machine(connected: Bool = true) -> ComfyUICompletion {
        ComfyUICompletion(promptID: id, timing: timing, queuedAt: t0, websocketConnected: connected)
    }

    var success: ComfyUIHistoryEntry {
        ComfyUIHistoryEntry(
            promptID: id, end: .succeeded,
            outputs: ["9": [ComfyUIFileRef(filename: "x_00001_.png", subfolder: "velocity", type: "output")]])
    }

    @Test("the normal sequence: progress grows, the end event makes it poll at once, history decides")
    func normalSequence() {
        var m = machine()
        let grew1 = m.receive(.executionStart(promptID: id), at: at(10))
        #expect(grew1)
        m.receive(.executionCached(promptID: id, nodes: ["1"]), at: at(11))
        m.receive(.executing(promptID: id, node: "7"), at: at(12))
        let grew2 = m.receive(.progress(promptID: id, node: "7", value: 10, max: 20), at: at(500))
        #expect(grew2)
        #expect(abs(m.fraction - 0.475) < 1e-9)
        let grew3 = m.receive(.progress(promptID: id, node: "7", value: 20, max: 20), at: at(900))
        #expect(grew3)
        // While the socket is active, history is polled slowly.
        #expect(m.next(at: at(1_000)) == .wait(until: at(2_900), then: .reevaluate))
        m.receive(.executed(promptID: id, node: "9"), at: at(1_000))
        let grew4 = m.receive(.executionSuccess(promptID: id), at: at(1_001))
        #expect(grew4)
        m.receive(.executing(promptID: id, node: nil), at: at(1_002))
        #expect(m.next(at: at(1_002)) == .wait(until: at(1_002), then: .history))
        m.historyPolled(success, at: at(1_005))
        #expect(m.next(at: at(1_006)) == .finished(success))
        #expect(m.fraction == 1)
    }

    @Test("history can lag the end event: it polls again at the settle interval")
    func historyLagsTheEndEvent() {
        var m = machine()
        m.receive(.executionStart(promptID: id), at: at(0))
        m.receive(.executionSuccess(promptID: id), at: at(100))
        #expect(m.next(at: at(100)) == .wait(until: at(100), then: .history))
        m.historyPolled(nil, at: at(101))
        #expect(m.next(at: at(102)) == .wait(until: at(151), then: .history))
        m.historyPolled(success, at: at(151))
        #expect(m.next(at: at(152)) == .finished(success))
    }

    @Test("a websocket that stalls for good: quiet polls and queue checks find the end from history alone")
    func stalledWebsocket() {
        var m = machine()
        m.receive(.executionStart(promptID: id), at: at(0))
        m.receive(.progress(promptID: id, node: "7", value: 1, max: 20), at: at(100))
        // Nothing more ever arrives. The machine wakes when the socket counts as quiet…
        #expect(m.next(at: at(200)) == .wait(until: at(2_100), then: .reevaluate))
        // …then polls at the quiet interval and checks the queue.
        #expect(m.next(at: at(2_100)) == .wait(until: at(2_100), then: .queueThenHistory))
        m.queueChecked(ComfyUIQueueSnapshot(running: [id], pending: []), at: at(2_101))
        m.historyPolled(nil, at: at(2_102))
        #expect(m.next(at: at(2_103)) == .wait(until: at(2_602), then: .history))
        m.historyPolled(nil, at: at(2_602))
        m.historyPolled(success, at: at(3_102))
        #expect(m.next(at: at(3_103)) == .finished(success))
    }

    @Test("a websocket that is down from the start polls quietly from the start")
    func websocketDown() {
        var m = machine(connected: false)
        #expect(m.next(at: at(0)) == .wait(until: at(500), then: .history))
        m.historyPolled(nil, at: at(500))
        #expect(m.next(at: at(600)) == .wait(until: at(1_000), then: .history))
        m.websocketChanged(connected: true)
        m.receive(.executionStart(promptID: id), at: at(700))
        #expect(m.next(at: at(700)) == .wait(until: at(2_700), then: .reevaluate))
    }

    @Test("events of other prompts and status messages are ignored")
    func otherPrompts() {
        var m = machine()
        let unchanged5 = m.receive(.executionStart(promptID: other), at: at(10))
        #expect(!unchanged5)
        let unchanged6 = m.receive(.progress(promptID: other, node: "7", value: 19, max: 20), at: at(20))
        #expect(!unchanged6)
        let unchanged7 = m.receive(.executionSuccess(promptID: other), at: at(30))
        #expect(!unchanged7)
        m.receive(.executing(promptID: other, node: nil), at: at(40))
        m.receive(.status(queueRemaining: 1), at: at(50))
        #expect(m.fraction == 0)
        #expect(m.endSignalledAt == nil)
        #expect(!m.executionStarted)
    }

    @Test("out-of-order events: progress after the end never lowers the fraction, an early end only hurries polls")
    func outOfOrder() {
        var m = machine()
        m.receive(.executing(promptID: id, node: nil), at: at(5))
        #expect(m.next(at: at(5)) == .wait(until: at(5), then: .history))
        m.historyPolled(nil, at: at(6))
        m.receive(.progress(promptID: id, node: "7", value: 18, max: 20), at: at(100))
        let high = m.fraction
        let unchanged8 = m.receive(.progress(promptID: id, node: "7", value: 3, max: 20), at: at(150))
        #expect(!unchanged8)
        #expect(m.fraction == high)
        m.receive(.executionSuccess(promptID: id), at: at(200))
        let unchanged9 = m.receive(.progress(promptID: id, node: "7", value: 20, max: 20), at: at(210))
        #expect(!unchanged9)
        #expect(m.fraction == 0.95)
        // The early end is old news after the quiet period: back to the quiet schedule, not
        // an endless fast poll.
        m.historyPolled(nil, at: at(2_100))
        #expect(m.next(at: at(2_300)) == .wait(until: at(2_300), then: .queueThenHistory))
        m.queueChecked(ComfyUIQueueSnapshot(running: [id], pending: []), at: at(2_300))
        m.historyPolled(nil, at: at(2_300))
        #expect(m.next(at: at(2_301)) == .wait(until: at(2_800), then: .history))
    }

    @Test("events without a prompt id (a reconnect's executing) are this prompt's signs of life, but no end")
    func anonymousEvents() {
        var m = machine()
        m.receive(.executing(promptID: nil, node: "7"), at: at(100))
        #expect(m.executionStarted)
        m.receive(.executing(promptID: nil, node: nil), at: at(200))
        #expect(m.endSignalledAt == nil)
        var n = ComfyUICompletion(promptID: id, timing: timing, queuedAt: t0, websocketConnected: true, ownsAnonymousEvents: false)
        n.receive(.executing(promptID: nil, node: "7"), at: at(100))
        #expect(!n.executionStarted)
    }

    @Test("an error or interrupt event hurries the poll; the outcome still comes from history")
    func errorEnds() {
        var m = machine()
        m.receive(.executionStart(promptID: id), at: at(0))
        m.receive(
            .executionError(promptID: id, ComfyUIExecutionFailure(nodeID: "7", nodeType: "KSampler", exceptionMessage: "oom")),
            at: at(50))
        #expect(m.next(at: at(50)) == .wait(until: at(50), then: .history))
        let failed = ComfyUIHistoryEntry(
            promptID: id, end: .failed(ComfyUIExecutionFailure(nodeID: "7", nodeType: "KSampler", exceptionMessage: "oom")))
        m.historyPolled(failed, at: at(60))
        #expect(m.next(at: at(61)) == .finished(failed))
        #expect(m.fraction < 1)
    }

    @Test("a prompt absent from the queue and then from history was lost (ComfyUI restarted)")
    func lostPrompt() {
        var m = machine(connected: false)
        #expect(m.next(at: at(2_000)) == .wait(until: at(2_000), then: .queueThenHistory))
        m.queueChecked(ComfyUIQueueSnapshot(running: [], pending: []), at: at(2_000))
        m.historyPolled(nil, at: at(2_001))
        #expect(m.next(at: at(2_002)) == .lost)
    }

    @Test("absent from the queue but present in history is a normal end, not a loss")
    func finishedBetweenChecks() {
        var m = machine(connected: false)
        m.queueChecked(ComfyUIQueueSnapshot(running: [], pending: []), at: at(2_000))
        m.historyPolled(success, at: at(2_001))
        #expect(m.next(at: at(2_002)) == .finished(success))
    }

    @Test("no sign of life past the silence deadline is a stuck render; waiting in the queue is not")
    func silence() {
        var m = machine()
        m.receive(.executionStart(promptID: id), at: at(0))
        m.queueChecked(ComfyUIQueueSnapshot(running: [id], pending: []), at: at(30_000))
        m.historyPolled(nil, at: at(30_001))
        #expect(m.next(at: at(59_999)) != .silent)
        #expect(m.next(at: at(60_000)) == .silent)

        var waiting = machine()
        waiting.queueChecked(ComfyUIQueueSnapshot(running: [other], pending: [id]), at: at(50_000))
        #expect(waiting.next(at: at(60_000)) != .silent)
        #expect(waiting.next(at: at(110_000)) == .silent)
    }

    @Test("the wait never runs past the silence deadline")
    func waitCappedBySilence() {
        var timing = self.timing
        timing.silenceDeadline = .seconds(3)
        var m = ComfyUICompletion(promptID: id, timing: timing, queuedAt: t0, websocketConnected: true)
        m.receive(.executionStart(promptID: id), at: at(0))
        m.historyPolled(nil, at: at(2_900))
        m.queueChecked(ComfyUIQueueSnapshot(running: [id], pending: []), at: at(2_900))
        #expect(m.next(at: at(2_950)) == .wait(until: at(3_000), then: .reevaluate))
    }

    @Test("polls failing for the grace period mean ComfyUI is unreachable; one answer resets it")
    func unreachable() {
        var m = machine(connected: false)
        m.requestFailed(at: at(500))
        m.requestFailed(at: at(1_000))
        m.historyPolled(nil, at: at(1_500))
        m.requestFailed(at: at(2_000))
        #expect(m.next(at: at(6_999)) != .unreachable)
        m.requestFailed(at: at(7_000))
        #expect(m.next(at: at(7_000)) == .unreachable)
    }

    @Test("progress maps into the job's fraction and is clamped")
    func progressMapping() {
        var m = machine()
        m.receive(.progress(promptID: id, node: "7", value: 0, max: 0), at: at(1))
        #expect(m.fraction == 0)
        m.receive(.progress(promptID: id, node: "7", value: 40, max: 20), at: at(2))
        #expect(abs(m.fraction - 0.9) < 1e-9)
    }
}
