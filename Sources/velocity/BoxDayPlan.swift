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

    /// Renders arrive as a Poisson process of `renderRate` per second from 5% to 90% of the
    /// day, `peakFactor` times that over lunch (40-55%); the morning batch of `morningLines`
    /// comes at the start with a window of 60% of the day, the late one of `lateLines` at 62%
    /// with a window to 95%.
    static func make(
        day: Double, renderRate: Double, peakFactor: Double, morningLines: Int, lateLines: Int, seed: UInt64
    ) -> BoxDayPlan {
        var random = SplitMix64(seed: seed)
        func uniform() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
        let peak = (0.40 * day)...(0.55 * day)
        let highest = renderRate * max(peakFactor, 1)
        var renders: [Double] = []
        var t = 0.05 * day
        // Thinning: candidates at the highest rate, each kept with the rate at its time ÷ the highest.
        while true {
            t += -log(max(1 - uniform(), 1e-12)) / highest
            guard t < 0.9 * day else { break }
            let rate = peak.contains(t) ? renderRate * peakFactor : renderRate
            if uniform() < rate / highest { renders.append(t) }
        }
        return BoxDayPlan(
            renders: renders,
            batches: [
                Batch(name: "morning", submittedAt: 0, deadline: 0.60 * day, lines: morningLines),
                Batch(name: "late", submittedAt: 0.62 * day, deadline: 0.95 * day, lines: lateLines),
            ])
    }
}
