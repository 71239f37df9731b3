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
    /// The jobs ahead start at the queue's measured completion rate (`throughput`, jobs/s over
    /// its last few windows of 200 ms, or of 1,000 completions when that is sooner) when there is one: that is what the queue really does, short
    /// jobs' claim and ack included. Without it, they take the queue's mean run time each,
    /// divided among the running slots (a saturated queue runs as many at once as it has
    /// running). The 90th percentile adds the spread of a sum of independent runs (1.28
    /// standard deviations × √n). Its own run is the median and 90th percentile of its kind
    /// (of the queue while its kind has none). Nil with nothing to estimate from.
    public static func estimate(
        position: Int, running: Int, kindRuns: [Int], queueRuns: [Int], throughput: Double? = nil
    ) -> JobETA? {
        let own = kindRuns.isEmpty ? queueRuns : kindRuns
        let ahead = queueRuns.isEmpty ? own : queueRuns
        let rate = throughput.flatMap { $0 > 0 ? $0 : nil }
        guard position >= 0, !ahead.isEmpty || rate != nil else { return nil }
        let lanes = Double(max(running, 1))
        let jobs = Double(position)
        var mean = 0.0
        var deviation = 0.0
        if !ahead.isEmpty {
            let count = Double(ahead.count)
            mean = ahead.reduce(0.0) { $0 + Double($1) } / count
            deviation = (ahead.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / count).squareRoot()
        }
        let start50 = rate.map { jobs * 1000 / $0 } ?? jobs * mean / lanes
        let start90 = start50 + 1.2816 * deviation * jobs.squareRoot() / lanes
        let sorted = own.sorted()
        let run50 = sorted.isEmpty ? 0 : quantile(sorted, 0.5)
        let run90 = sorted.isEmpty ? 0 : quantile(sorted, 0.9)
        return JobETA(
            p50Milliseconds: Int((start50 + Double(run50)).rounded()),
            p90Milliseconds: Int((start90 + Double(run90)).rounded()))
    }

    /// The nearest-rank quantile of sorted values.
    static func quantile(_ sorted: [Int], _ q: Double) -> Int {
        sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }
}
