import Foundation
import GPUBox
import Testing

/// The mode advisor as a pure function of demand, costs and targets (no I/O).
@Suite("Mode advice")
struct ModeAdvisorTests {
    static let gpus = [0, 1, 2, 3]
    static let costs = ModeAdvisor.Costs(renderSeconds: 12, llmLinesPerSecondPerGPU: 4, switchSeconds: 120)

    func advice(_ current: BoxMode?, media: (Int, Int), llm: (Int, Int)) -> ModeAdvice {
        ModeAdvisor(gpus: Self.gpus, current: current, costs: Self.costs).advise(
            media: QueueDemand(queued: media.0, running: media.1), llm: QueueDemand(queued: llm.0, running: llm.1))
    }

    func option(_ advice: ModeAdvice, _ mode: BoxMode) -> ModeAdvice.Option {
        advice.options.first { $0.mode == mode }!
    }

    @Test("a batch queued as backfill does not make a chat wait: llm mode meets the chat target, and says why")
    func backfillIsNotInTheChatsWay() {
        // 2,000 batch lines and 10 chats on an llm box: a new chat waits for the 10 chats only.
        let advisor = ModeAdvisor(gpus: Self.gpus, current: .llm, costs: Self.costs)
        let advice = advisor.advise(
            media: QueueDemand(queued: 0, running: 0), llm: QueueDemand(queued: 2_010, running: 0, backfill: 2_000))
        #expect(option(advice, .llm).chatWaitSeconds == 10.0 / 16)
        #expect(option(advice, .llm).meetsTargets)
        #expect(option(advice, .llm).finishSeconds == 2_010.0 / 16)
        #expect(advice.recommended == .llm)
        #expect(advice.reasons.first?.contains("2010 LLM lines (2000 of them backfill)") == true)
        // Counted as interactive, the same lines would miss the 60 s target in every mode.
        let naive = advisor.advise(media: QueueDemand(queued: 0, running: 0), llm: QueueDemand(queued: 2_010, running: 0))
        #expect(naive.options.allSatisfy { !$0.meetsTargets })
        // Backfill never exceeds what is queued.
        #expect(QueueDemand(queued: 5, running: 1, backfill: 9).interactive == 0)
    }

    @Test("nothing queued: stay in the current mode, whatever finishes 'sooner'")
    func idle() {
        let advice = advice(.llm, media: (0, 0), llm: (0, 0))
        #expect(advice.recommended == .llm)
        #expect(!advice.switchAdvised)
        #expect(advice.reasons.contains("nothing is queued: stay in llm"))
    }

    @Test("a render backlog on an LLM box: media finishes first, counting the switch; llm never does")
    func rendersOnAnLLMBox() {
        let advice = advice(.llm, media: (36, 4), llm: (0, 0))
        #expect(advice.recommended == .media)
        #expect(advice.switchAdvised)
        // 40 renders × 12 s over 4 GPUs after a 120 s switch; over 2 in split.
        #expect(option(advice, .media).finishSeconds == 240)
        #expect(option(advice, .split).finishSeconds == 360)
        #expect(option(advice, .llm).finishSeconds == nil)
        let wait: Double = 120 + 36.0 / 4 * 12
        #expect(option(advice, .media).renderWaitSeconds == wait)
        #expect(option(advice, .llm).meetsTargets == false)
        #expect(advice.reasons.last == "switch to media: it meets the interactive targets where llm does not (done in 240 s)")
    }

    @Test("an LLM batch on a media box: llm over all four GPUs beats split")
    func linesOnAMediaBox() {
        let advice = advice(.media, media: (0, 0), llm: (600, 32))
        #expect(advice.recommended == .llm)
        let llm: Double = 120 + 632.0 / 16
        let split: Double = 120 + 632.0 / 8
        #expect(option(advice, .llm).finishSeconds == llm)
        #expect(option(advice, .split).finishSeconds == split)
        #expect(option(advice, .media).finishSeconds == nil)
    }

    @Test("both queued: only split serves both; with the targets missed everywhere it is still the soonest")
    func bothQueues() {
        let advice = advice(.media, media: (20, 0), llm: (2_000, 0))
        #expect(advice.recommended == .split)
        let split: Double = 120 + max(20.0 * 12 / 2, 2_000.0 / 8)
        #expect(option(advice, .split).finishSeconds == split)
        #expect(advice.options.allSatisfy { !$0.meetsTargets })
        #expect(advice.reasons.last == "no mode meets the interactive targets; split finishes soonest")
        // Already split, with light demand: stay, no switch.
        let light = self.advice(.split, media: (2, 1), llm: (10, 4))
        #expect(light.recommended == .split)
        #expect(option(light, .split).switchSeconds == 0)
        #expect(option(light, .split).meetsTargets)
    }

    @Test("a switch must buy time: on a tie, or when the current mode is sooner, the box stays")
    func switchMustPay() {
        // 8 renders on a split box: 2 GPUs take 48 s; media would take 24 s but after a 120 s switch.
        let advice = advice(.split, media: (8, 0), llm: (0, 0))
        #expect(advice.recommended == .split)
        #expect(advice.reasons.last == "stay in split: no mode that meets the targets finishes sooner")
        // A measured, short switch changes the answer.
        var costs = Self.costs
        costs.switchSeconds = 5
        costs.switchMeasured = true
        let fast = ModeAdvisor(gpus: Self.gpus, current: .split, costs: costs).advise(
            media: QueueDemand(queued: 8, running: 0), llm: QueueDemand(queued: 0, running: 0))
        #expect(fast.recommended == .media)
        #expect(fast.reasons[0].contains("a switch takes 5 s (measured)"))
    }

    @Test("the advice's JSON names every figure, with switch_advised")
    func json() throws {
        var advice = advice(.llm, media: (4, 0), llm: (0, 0))
        advice.box = "box-1"
        let data = try JSONEncoder().encode(advice)
        let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        #expect(object["switch_advised"] as? Bool == true)
        #expect(object["recommended"] as? String == "media")
        #expect((object["options"] as? [[String: Any]])?.count == 3)
        #expect(try JSONDecoder().decode(ModeAdvice.self, from: data) == advice)
    }

    @Test("batch windows: each mode runs the batches earliest due first behind the chats, and counts the windows it misses")
    func windowsByEarliestDeadline() {
        // 4 lines/s per GPU: llm 16/s, split 8/s. Two chats ahead; 400 lines due in 60 s, 200 in 70 s.
        let windows = [
            QueueDemand.Window(batch: "late", queued: 200, running: 0, dueInSeconds: 70),
            QueueDemand.Window(batch: "soon", queued: 390, running: 10, dueInSeconds: 60),
        ]
        let llm = QueueDemand(queued: 592, running: 10, backfill: 590, windows: windows)
        #expect(llm.windows.map(\.batch) == ["soon", "late"])
        #expect(llm.aheadOfWindows == 2)
        var costs = Self.costs
        costs.switchSeconds = 2
        let advisor = ModeAdvisor(gpus: Self.gpus, current: .llm, costs: costs)
        let advice = advisor.advise(media: QueueDemand(queued: 0, running: 0), llm: llm)
        // llm: (2 + 400) / 16 = 25 s ≤ 60, then + 200 / 16 = 37.6 s ≤ 70. Split, after its 2 s
        // switch: 52 s, then 77 s > 70.
        #expect(option(advice, .llm).windowsMissed == 0)
        #expect(option(advice, .split).windowsMissed == 1)
        #expect(option(advice, .media).windowsMissed == 2)
        #expect(advice.recommended == .llm)
        #expect(advice.reasons.contains("batch windows: soon (400 lines, due in 60 s), late (200 lines, due in 70 s)"))
        #expect(advice.reasons.contains { $0.hasPrefix("split:") && $0.hasSuffix("misses 1 of 2 batch windows") })
        // Promoted lines (no longer backfill) are not counted twice: ahead of the windows stay the chats.
        let promoted = QueueDemand(queued: 592, running: 10, backfill: 0, windows: windows)
        #expect(promoted.aheadOfWindows == 2)
        // A closed window is missed by every mode.
        let closed = QueueDemand(
            queued: 5, running: 0, backfill: 5, windows: [.init(batch: "gone", queued: 5, running: 0, dueInSeconds: -1)])
        #expect(
            advisor.advise(media: QueueDemand(queued: 0, running: 0), llm: closed).options.allSatisfy { $0.windowsMissed == 1 })
    }

    @Test("the targets come before the windows, the windows before finishing soonest")
    func targetsThenWindowsThenFinish() {
        let costs = ModeAdvisor.Costs(renderSeconds: 1, llmLinesPerSecondPerGPU: 4, switchSeconds: 1)
        let targets = ModeAdvisor.Targets(renderWaitSeconds: 5, chatWaitSeconds: 5)
        func advise(_ current: BoxMode, renders: Int, lines: Int, due: Double) -> ModeAdvice {
            ModeAdvisor(gpus: Self.gpus, current: current, costs: costs, targets: targets).advise(
                media: QueueDemand(queued: renders, running: 0),
                llm: QueueDemand(
                    queued: lines, running: 0, backfill: lines,
                    windows: [.init(batch: "b", queued: lines, running: 0, dueInSeconds: due)]))
        }
        // Renders queued: llm misses the render target, so split (meets it and the window) beats
        // llm, which would finish the lines sooner; media never serves a chat.
        let both = advise(.media, renders: 4, lines: 400, due: 60)
        #expect(option(both, .split).meetsTargets && option(both, .split).windowsMissed == 0)
        #expect(!option(both, .media).meetsTargets && option(both, .media).windowsMissed == 1)
        #expect(both.recommended == .split)
        #expect(both.reasons.last == "switch to split: it meets the interactive targets where media does not (done in 51 s)")
        // Both meet the targets; only llm meets the window.
        let window = advise(.split, renders: 0, lines: 400, due: 30)
        #expect(option(window, .split).meetsTargets && option(window, .split).windowsMissed == 1)
        #expect(window.recommended == .llm)
        #expect(
            window.reasons.last == "switch to llm: it would miss 0 of the batch windows where split would miss 1 (done in 26 s)")
        // A window split cannot meet: split still, for the renders' sake — users waiting come first.
        let tight = advise(.split, renders: 4, lines: 400, due: 30)
        #expect(option(tight, .split).windowsMissed == 1 && option(tight, .llm).windowsMissed == 0)
        #expect(tight.recommended == .split)
        // No renders: both split and llm meet the window; llm finishes sooner.
        let lines = advise(.split, renders: 0, lines: 400, due: 60)
        #expect(lines.recommended == .llm)
        // Media meets the render target but misses the window; split meets both, so a media box switches.
        let media = advise(.media, renders: 2, lines: 200, due: 40)
        #expect(media.recommended == .split)
    }

    @Test("an llm box that meets a window split would miss stays until the windowed lines are done, then hands over")
    func handoverAfterTheWindows() {
        let costs = ModeAdvisor.Costs(renderSeconds: 1, llmLinesPerSecondPerGPU: 4, switchSeconds: 1)
        let advisor = ModeAdvisor(
            gpus: Self.gpus, current: .llm, costs: costs, targets: .init(renderWaitSeconds: 60, chatWaitSeconds: 5))
        func advise(lines: Int, due: Double) -> ModeAdvice {
            advisor.advise(
                media: QueueDemand(queued: 2, running: 0),
                llm: QueueDemand(
                    queued: lines, running: 0, backfill: lines,
                    windows: lines == 0 ? [] : [.init(batch: "b", queued: lines, running: 0, dueInSeconds: due)]))
        }
        // 400 lines due in 30 s: llm 25 s, split 1 + 50 s. A render waits 25 + 1 + 2 / 2 = 27 s in llm.
        let tight = advise(lines: 400, due: 30)
        #expect(option(tight, .llm).renderWaitSeconds == 27)
        #expect(option(tight, .llm).meetsTargets && option(tight, .split).windowsMissed == 1)
        #expect(tight.recommended == .llm)
        #expect(
            tight.reasons.contains {
                $0.hasPrefix("llm:")
                    && $0.contains("a new render waits 27 s (the batch windows' lines first, then a switch to split)")
            })
        // A window split meets too: no reason to make the render wait.
        #expect(advise(lines: 100, due: 60).recommended == .split)
        // The lines done: llm serves no render any more.
        let done = advise(lines: 0, due: 0)
        #expect(option(done, .llm).renderWaitSeconds == nil)
        #expect(done.recommended != .llm)
        // Past the render target, the handover does not count.
        #expect(advise(lines: 1_200, due: 100).recommended != .llm)
    }
}
