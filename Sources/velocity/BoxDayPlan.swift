import Emulators
import Foundation
import VelocityTypes

/// The demand of `bench/run box-day`: a day of a box's work compressed into `day` seconds —
/// a morning LLM batch, renders through the day with a lunchtime peak, and a late batch with a
/// tight window. Pure and seeded: every policy gets the same day.
struct BoxDayPlan: Sendable, Equatable {
    struct Batch: Sendable, Equatable {
        var name: String
        /// Seconds from the start of the day.
        var submittedAt: Double
        /// When its window closes, seconds from the start of the day.
        var deadline: Double
        var lines: Int
    }

    /// When each render arrives, seconds from the start of the day, in order.
    var renders: [Double]
    var batches: [Batch]

    /// The day's shape, as fractions of it: renders arrive as a Poisson process of `renderRate`
    /// per second from 25% (the office opens) to 75% (it closes), `peakFactor` times that over
    /// lunch (40-55%); the morning batch of `morningLines` is there at the start (it came in
    /// overnight) with a window to 30%, the late one of `lateLines` comes at 75% with a window to
    /// 95%, tighter than split mode's half of the LLM capacity can meet.
    static func make(
        day: Double, renderRate: Double, peakFactor: Double, morningLines: Int, lateLines: Int, seed: UInt64
    ) -> BoxDayPlan {
        var random = SplitMix64(seed: seed)
        func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        let peak = (0.40 * day)...(0.55 * day)
        let highest = renderRate * max(peakFactor, 1)
        var renders: [Double] = []
        var t = 0.25 * day
        // Thinning: candidates at the highest rate, each kept with the rate at its time ÷ the highest.
        while true {
            t += -log(max(1 - uniform(), 1e-12)) / highest
            guard t < 0.75 * day else { break }
            let rate = peak.contains(t) ? renderRate * peakFactor : renderRate
            if uniform() < rate / highest { renders.append(t) }
        }
        return BoxDayPlan(
            renders: renders,
            batches: [
                Batch(name: "morning", submittedAt: 0, deadline: 0.30 * day, lines: morningLines),
                Batch(name: "late", submittedAt: 0.75 * day, deadline: 0.95 * day, lines: lateLines),
            ])
    }
}
