import Testing

@testable import Gateway

/// A batch's window risk as a pure function of its counts and times.
@Suite("Batch windows")
struct BatchWindowTests {
    func assess(total: Int = 1_000, ended: Int, elapsed: Double, left: Double, promoted: Bool = false) -> BatchWindow {
        BatchWindow.assess(
            total: total, ended: ended, startedAt: 10_000, expiresAt: 10_000 + elapsed + left, now: 10_000 + elapsed,
            promoted: promoted)
    }

    @Test("at its pace a batch that needs under 80% of the time left is on track and stays in the backfill band")
    func onTrack() {
        // 500 of 1000 in an hour: the other 500 need an hour, 23 hours are left.
        let window = assess(ended: 500, elapsed: 3_600, left: 82_800)
        #expect(window.risk == .onTrack)
        #expect(window.ratio == 3_600.0 / 82_800)
        #expect(abs((window.projectedCompletionAt ?? 0) - (10_000 + 7_200)) < 1e-6)
        #expect(!window.promote)
    }

    @Test("80% of the time left or more: at risk, promoted; past all of it: late")
    func atRiskAndLate() {
        // 100 of 1000 in 2 h: 900 more need 18 h; 20 h left → 0.9.
        let atRisk = assess(ended: 100, elapsed: 7_200, left: 72_000)
        #expect(atRisk.risk == .atRisk && atRisk.promote)
        #expect(abs((atRisk.ratio ?? 0) - 0.9) < 1e-9)
        // 10 h left → 1.8: late, and promoted (once).
        let late = assess(ended: 100, elapsed: 7_200, left: 36_000)
        #expect(late.risk == .late && late.promote)
        #expect(!assess(ended: 100, elapsed: 7_200, left: 36_000, promoted: true).promote)
    }

    @Test("no line ended yet: on track during the grace (10% of the window), late and promoted after it")
    func noPace() {
        let early = assess(ended: 0, elapsed: 3_600, left: 82_800)
        #expect(early.risk == .onTrack && early.ratio == nil && !early.promote)
        let stalled = assess(ended: 0, elapsed: 9_000, left: 77_400)
        #expect(stalled.risk == .late && stalled.ratio == nil && stalled.promote)
    }

    @Test("done, or past its expiry: nothing to promote")
    func doneOrExpired() {
        let done = assess(ended: 1_000, elapsed: 3_600, left: 100)
        #expect(done.risk == .onTrack && done.ratio == 0 && !done.promote)
        let expired = assess(ended: 10, elapsed: 3_600, left: 0)
        #expect(expired.risk == .late && !expired.promote)
    }

    @Test("deadline classes: one step per halving of the time left below a day, from 100 to at most 490")
    func deadlineClasses() {
        #expect(BatchWindow.promotionPriority(secondsLeft: 200_000) == 100)
        #expect(BatchWindow.promotionPriority(secondsLeft: 86_400) == 100)
        #expect(BatchWindow.promotionPriority(secondsLeft: 43_200) == 130)
        #expect(BatchWindow.promotionPriority(secondsLeft: 3_600) == 220)  // 24× less: 4 halvings
        #expect(BatchWindow.promotionPriority(secondsLeft: 1) == 490)
        #expect(BatchWindow.promotionPriority(secondsLeft: -5) == 490)
        // Monotone: less time left never runs below more.
        let lefts = stride(from: 100_000.0, to: 0, by: -997).map { BatchWindow.promotionPriority(secondsLeft: $0) }
        #expect(zip(lefts, lefts.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(lefts.allSatisfy { $0 < 500 })
        // First promotion when the assessment says so; then only into a higher class.
        let late = assess(ended: 100, elapsed: 7_200, left: 3_600)
        #expect(late.promotion(secondsLeft: 3_600, promoted: false, promotedTo: nil) == 220)
        #expect(
            assess(ended: 900, elapsed: 100, left: 80_000).promotion(secondsLeft: 80_000, promoted: false, promotedTo: nil) == nil
        )
        let promoted = assess(ended: 100, elapsed: 7_200, left: 3_600, promoted: true)
        #expect(promoted.promotion(secondsLeft: 3_600, promoted: true, promotedTo: 220) == nil)
        #expect(promoted.promotion(secondsLeft: 1_700, promoted: true, promotedTo: 220) == 250)
        #expect(promoted.promotion(secondsLeft: 80_000, promoted: true, promotedTo: nil) == nil)
    }
}
