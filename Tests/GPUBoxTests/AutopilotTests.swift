import Foundation
import Testing

@testable import GPUBox

/// The autopilot's hysteresis as a pure function of advice, setting and time (no I/O).
@Suite("Autopilot")
struct AutopilotTests {
    static let costs = ModeAdvisor.Costs(renderSeconds: 10, llmLinesPerSecondPerGPU: 4, switchSeconds: 60)

    func advice(_ current: BoxMode?, renders: Int = 0, lines: Int = 0, costs: ModeAdvisor.Costs = costs) -> ModeAdvice {
        ModeAdvisor(gpus: [0, 1, 2, 3], current: current, costs: costs).advise(
            media: QueueDemand(queued: renders, running: 0), llm: QueueDemand(queued: lines, running: 0))
    }

    func setting(enabled: Bool = true, dwell: Double = 0, gain: Double = 0, confirm: Double = 0) -> AutopilotSetting {
        AutopilotSetting(
            enabled: enabled, minDwellSeconds: dwell, minGainSeconds: gain, confirmSeconds: confirm, changedBy: "test",
            changedAtMilliseconds: 0)
    }

    @Test("off, mid-switch, without a mode, or advised to stay: it holds and forgets what it was waiting for")
    func holds() {
        var pilot = Autopilot()
        let backlog = advice(.media, lines: 1000)
        #expect(backlog.recommended == .llm)
        let off = pilot.decide(backlog, setting: setting(enabled: false), switching: false, modeSince: 0, now: 100)
        #expect(off == .hold(reason: "the autopilot is off"))
        #expect(pilot.pending == nil)
        let busy = pilot.decide(backlog, setting: setting(), switching: true, modeSince: 0, now: 100)
        #expect(busy == .hold(reason: "a switch is running"))
        let halted = pilot.decide(advice(nil, lines: 1000), setting: setting(), switching: false, modeSince: 0, now: 100)
        #expect(halted.reason.hasPrefix("the box has no mode to leave"))
        let stay = pilot.decide(advice(.llm, lines: 1000), setting: setting(), switching: false, modeSince: 0, now: 100)
        #expect(stay == .hold(reason: "the advice is to stay in llm"))
        #expect(pilot.pending == nil)
    }

    @Test("LLM lines on a busy media box (which never finishes them): it switches once the advice held and the dwell passed")
    func confirmAndDwell() {
        var pilot = Autopilot()
        // A render runs: media mode has work of its own, so the advice must hold.
        let backlog = ModeAdvisor(gpus: [0, 1, 2, 3], current: .media, costs: Self.costs).advise(
            media: QueueDemand(queued: 0, running: 1), llm: QueueDemand(queued: 1000, running: 0))
        #expect(backlog.recommended == .split)
        let policy = setting(dwell: 600, confirm: 30)
        // First seen at 500 s: the advice must hold 30 s.
        let first = pilot.decide(backlog, setting: policy, switching: false, modeSince: 0, now: 500)
        #expect(first == .hold(reason: "split advised for 0 s of the 30 s it must hold"))
        #expect(pilot.pending == Autopilot.Pending(mode: .split, since: 500))
        // Held long enough, but the box has been in media mode only 540 s of its 600.
        let dwell = pilot.decide(backlog, setting: policy, switching: false, modeSince: 0, now: 540)
        #expect(dwell == .hold(reason: "in media for 540 s of the 600 s minimum dwell"))
        let go = pilot.decide(backlog, setting: policy, switching: false, modeSince: 0, now: 600)
        guard case .switchTo(let mode, let reason) = go else {
            Issue.record("expected a switch, got \(go)")
            return
        }
        #expect(mode == .split)
        // 1000 lines at 8 lines/s after a 60 s switch: 185 s.
        #expect(reason == "split finishes the queued work where media never would (185 s against never, a 60 s switch included)")
        #expect(pilot.pending == nil)
    }

    @Test("a box idle in its mode with work waiting that the mode never serves switches without the confirmation, not the dwell")
    func idleSkipsConfirmation() {
        var pilot = Autopilot()
        let policy = setting(dwell: 600, confirm: 30)
        // Nothing for media mode to do, 1000 lines waiting: no wobble to sit out.
        let idle = advice(.media, lines: 1000)
        #expect(idle.recommended == .llm)
        let early = pilot.decide(idle, setting: policy, switching: false, modeSince: 0, now: 500)
        #expect(early == .hold(reason: "in media for 500 s of the 600 s minimum dwell"))
        // Past the dwell, first seen now: it switches at once.
        var fresh = Autopilot()
        let go = fresh.decide(idle, setting: policy, switching: false, modeSince: 0, now: 600)
        // 1000 lines at 16 lines/s after a 60 s switch: 122.5 s, printed to even.
        #expect(
            go
                == .switchTo(
                    .llm,
                    reason:
                        "llm finishes the queued work where media never would (122 s against never, a 60 s switch included); "
                        + "media has nothing to do, so no confirmation awaited"))
        // The same on an llm box whose lines are done while renders wait.
        var other = Autopilot()
        let done = advice(.llm, renders: 3)
        #expect(done.recommended == .media)
        guard
            case .switchTo(.media, _) = other.decide(done, setting: setting(confirm: 30), switching: false, modeSince: 0, now: 0)
        else {
            Issue.record("expected an immediate switch to media")
            return
        }
        // One line still running on it: the advice must hold as usual.
        let busy = ModeAdvisor(gpus: [0, 1, 2, 3], current: .llm, costs: Self.costs).advise(
            media: QueueDemand(queued: 3, running: 0), llm: QueueDemand(queued: 0, running: 1))
        var held = Autopilot()
        let wait = held.decide(busy, setting: setting(confirm: 30), switching: false, modeSince: 0, now: 0)
        #expect(wait == .hold(reason: "\(busy.recommended) advised for 0 s of the 30 s it must hold"))
    }

    @Test("a change of advice restarts the confirmation")
    func adviceChanges() {
        var pilot = Autopilot()
        let policy = setting(confirm: 30)
        _ = pilot.decide(advice(.split, renders: 2000), setting: policy, switching: false, modeSince: 0, now: 0)
        #expect(pilot.pending?.mode == .media)
        let flipped = pilot.decide(advice(.split, lines: 20_000), setting: policy, switching: false, modeSince: 0, now: 29)
        #expect(pilot.pending == Autopilot.Pending(mode: .llm, since: 29))
        #expect(flipped.reason.hasPrefix("llm advised for 0 s"))
    }

    @Test("a gain smaller than the minimum after the switch cost holds; a larger one switches")
    func minimumGain() {
        // Split mode, 2000 lines: 250 s on its 2 LLM GPUs; 60 + 125 s in llm mode: 65 s sooner.
        let backlog = advice(.split, lines: 2000)
        #expect(backlog.recommended == .llm)
        var pilot = Autopilot()
        let small = pilot.decide(backlog, setting: setting(gain: 120), switching: false, modeSince: 0, now: 0)
        #expect(small == .hold(reason: "llm would finish 65 s sooner (a 60 s switch included); a switch needs 120 s"))
        let enough = pilot.decide(backlog, setting: setting(gain: 60), switching: false, modeSince: 0, now: 1)
        #expect(
            enough
                == .switchTo(
                    .llm, reason: "llm finishes the queued work 65 s sooner (185 s against 250 s, a 60 s switch included)"))
    }

    @Test("meeting the interactive targets the current mode misses is reason enough, whatever the gain")
    func targets() {
        // Split mode, 100 renders: a new render waits 500 s on its 2 media GPUs (target 300 s);
        // media mode: 10 + 250 s, within the target.
        let cheap = ModeAdvisor.Costs(renderSeconds: 10, llmLinesPerSecondPerGPU: 4, switchSeconds: 10)
        let backlog = advice(.split, renders: 100, costs: cheap)
        #expect(backlog.recommended == .media)
        var pilot = Autopilot()
        let decision = pilot.decide(backlog, setting: setting(gain: 10_000), switching: false, modeSince: 0, now: 0)
        #expect(
            decision
                == .switchTo(
                    .media,
                    reason: "split misses the interactive targets and media meets them (done in 260 s, a 10 s switch included)"))
    }

    @Test("missing fewer batch windows is reason enough too, whatever the gain")
    func windows() {
        // A split box with 304 batch lines due in 30 s: split needs 304 / 8 = 38 s, llm
        // 5 + 304 / 16 = 24 s. Both meet the targets (no render, no chat waits).
        let cheap = ModeAdvisor.Costs(renderSeconds: 10, llmLinesPerSecondPerGPU: 4, switchSeconds: 5)
        let advice = ModeAdvisor(gpus: [0, 1, 2, 3], current: .split, costs: cheap).advise(
            media: QueueDemand(queued: 0, running: 0),
            llm: QueueDemand(
                queued: 304, running: 0, backfill: 304,
                windows: [.init(batch: "b", queued: 304, running: 0, dueInSeconds: 30)]))
        #expect(advice.recommended == .llm)
        var pilot = Autopilot()
        let decision = pilot.decide(advice, setting: setting(gain: 10_000), switching: false, modeSince: 0, now: 0)
        #expect(
            decision
                == .switchTo(.llm, reason: "split would miss 1 of the batch windows, llm 0 (done in 24 s, a 5 s switch included)")
        )
    }

    @Test("the setting's bounds name the field out of range")
    func bounds() {
        #expect(setting().invalidField == nil)
        #expect(setting(dwell: -1).invalidField?.field == "min_dwell_seconds")
        #expect(setting(gain: .infinity).invalidField?.field == "min_gain_seconds")
        #expect(setting(confirm: 3601).invalidField?.message == "must be from 0 to 3600 seconds")
        #expect(setting(dwell: .nan).invalidField?.field == "min_dwell_seconds")
    }
}
