/// When a queued job should be done, as a median and a 90th percentile: the work the fair
/// scheduler starts before it, spread over the capacity serving the queue, then its own run.
public struct JobETA: Sendable, Equatable, Codable {
    /// Milliseconds from now.
    public var p50Milliseconds: Int
    public var p90Milliseconds: Int

    public init(p50Milliseconds: Int, p90Milliseconds: Int) {
        self.p50Milliseconds = p50Milliseconds
        self.p90Milliseconds = p90Milliseconds
    }

    /// The estimate for a job with `position` jobs before it while `running` jobs run.
    ///
    /// The jobs ahead take the queue's mean run time each, with the spread of a sum of
    /// independent runs (mean × n, plus 1.28 standard deviations × √n for the 90th percentile),
    /// divided among the running slots: a saturated queue runs as many at once as it has
    /// running. Its own run is the median and 90th percentile of its kind (of the queue while
    /// its kind has none). Nil with no run times at all: nothing to estimate from.
    public static func estimate(position: Int, running: Int, kindRuns: [Int], queueRuns: [Int]) -> JobETA? {
        let own = kindRuns.isEmpty ? queueRuns : kindRuns
        let ahead = queueRuns.isEmpty ? own : queueRuns
        guard !own.isEmpty, position >= 0 else { return nil }
        let lanes = Double(max(running, 1))
        let count = Double(ahead.count)
        let mean = ahead.reduce(0.0) { $0 + Double($1) } / count
        let variance = ahead.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / count
        let jobs = Double(position)
        let start50 = jobs * mean / lanes
        let start90 = (jobs * mean + 1.2816 * variance.squareRoot() * jobs.squareRoot()) / lanes
        let sorted = own.sorted()
        return JobETA(
            p50Milliseconds: Int((start50 + Double(quantile(sorted, 0.5))).rounded()),
            p90Milliseconds: Int((start90 + Double(quantile(sorted, 0.9))).rounded()))
    }

    /// The nearest-rank quantile of sorted values.
    static func quantile(_ sorted: [Int], _ q: Double) -> Int {
        sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }
}
