import Broker
import Synchronization

/// The last hour of samples, capped, in memory: a fresh dashboard shows history at once, and
/// the alerts' `for` durations and 15-minute increases are read from it.
///
/// Each gateway keeps its own; every gateway reads the same Redis, so their histories agree.
final class DashboardHistory: Sendable {
    /// How often the sampler adds one.
    let intervalMilliseconds: Int
    /// The most samples kept (an hour's); the oldest go first.
    let capacity: Int
    /// The rules whose conditions each sample is checked against once, as it is added: a
    /// page's poll then only checks the present.
    let rules: [AlertRule]
    private let entries = Mutex<(samples: [DashboardSample], holdings: [[Set<AlertRule.Labels>]])>(([], []))

    init(intervalMilliseconds: Int, spanMilliseconds: Int = 3_600_000, rules: [AlertRule] = AlertRule.dashboardRules) {
        self.intervalMilliseconds = intervalMilliseconds
        self.capacity = max(2, spanMilliseconds / max(1, intervalMilliseconds) + 1)
        self.rules = rules
    }

    /// Adds a sample with what the rules hold for at it; one older than the newest is dropped
    /// (clocks only move forward here).
    func append(_ sample: DashboardSample) {
        entries.withLock { entries in
            if let last = entries.samples.last, sample.atMilliseconds < last.atMilliseconds { return }
            entries.samples.append(sample)
            entries.holdings.append(
                DashboardAlert.holding(rules, in: entries.samples, at: entries.samples.count - 1))
            if entries.samples.count > capacity {
                entries.samples.removeFirst(entries.samples.count - capacity)
                entries.holdings.removeFirst(entries.holdings.count - capacity)
            }
        }
    }

    /// Every kept sample, oldest first.
    var all: [DashboardSample] { entries.withLock { $0.samples } }

    /// The kept samples and `now` after them, with the alerts over them all: the past samples'
    /// conditions as they were checked when taken, only `now`'s checked here.
    func withPresent(_ now: DashboardSample) -> (samples: [DashboardSample], alerts: [DashboardAlert]) {
        let (kept, holdings) = entries.withLock { ($0.samples, $0.holdings) }
        let samples = kept + [now]
        let alerts = DashboardAlert.evaluate(
            rules, holdings: holdings + [DashboardAlert.holding(rules, in: samples, at: samples.count - 1)],
            times: samples.map(\.atMilliseconds))
        return (samples, alerts)
    }
}

/// One point of a queue's chart.
struct QueueSeriesPoint: Encodable, Equatable {
    var t: Int
    var queued: Int
    var scheduled: Int
    var active: Int
    var dead: Int
    var oldest_waiting_ms: Int
    /// Per second since the previous sample; null on the first point and after a counter reset
    /// (Redis lost its data), as Prometheus's `rate` would not count one either.
    var enqueued_per_s: Double?
    var completed_per_s: Double?
    var failed_per_s: Double?

    /// The series of `queue` over `samples` (oldest first).
    static func series(of queue: String, in samples: [DashboardSample]) -> [QueueSeriesPoint] {
        var points: [QueueSeriesPoint] = []
        var previous: (at: Int, depth: QueueDepth)?
        for sample in samples {
            guard let depth = sample.queue(queue) else { continue }
            var point = QueueSeriesPoint(
                t: sample.atMilliseconds, queued: depth.queued, scheduled: depth.scheduled, active: depth.active,
                dead: depth.dead, oldest_waiting_ms: depth.oldestQueuedMilliseconds)
            if let previous, sample.atMilliseconds > previous.at {
                let seconds = Double(sample.atMilliseconds - previous.at) / 1000
                func rate(_ counter: (QueueDepth) -> Int) -> Double? {
                    let delta = counter(depth) - counter(previous.depth)
                    return delta >= 0 ? Double(delta) / seconds : nil
                }
                point.enqueued_per_s = rate(\.enqueuedTotal)
                point.completed_per_s = rate(\.succeededTotal)
                point.failed_per_s = rate { $0.failedTotal + $0.deadTotal }
            }
            points.append(point)
            previous = (sample.atMilliseconds, depth)
        }
        return points
    }
}
