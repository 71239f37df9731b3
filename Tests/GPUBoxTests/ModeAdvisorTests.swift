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
        #expect(advice.reasons.last == "switch to media: done in 240 s against never in llm")
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
}
