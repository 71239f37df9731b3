import Broker
import Foundation
import Synchronization
import VelocityTypes

/// Enqueue and completion rates per queue, from the broker's lifetime counters sampled over
/// the last minute (each `/v1/queues` read or metrics scrape adds a sample).
final class QueueRates: Sendable {
    struct Sample: Sendable {
        var at: ContinuousClock.Instant
        var enqueued: Int
        var completed: Int
    }

    private let samples = Mutex<[String: [Sample]]>([:])
    let window: Duration

    init(window: Duration = .seconds(60)) {
        self.window = window
    }

    /// Records `depth` and returns (enqueued/s, completed/s) over the window, nil until two
    /// samples at least a second apart exist.
    func observe(_ depth: QueueDepth, now: ContinuousClock.Instant = .now) -> (enqueued: Double, completed: Double)? {
        let completed = depth.succeededTotal + depth.failedTotal + depth.canceledTotal + depth.deadTotal
        let sample = Sample(at: now, enqueued: depth.enqueuedTotal, completed: completed)
        return samples.withLock { all in
            var list = all[depth.queue, default: []]
            list.append(sample)
            list.removeAll { now - $0.at > window }
            all[depth.queue] = list
            guard let oldest = list.first, now - oldest.at >= .seconds(1) else { return nil }
            let seconds = (now - oldest.at).inSeconds
            return (
                Double(max(0, sample.enqueued - oldest.enqueued)) / seconds,
                Double(max(0, sample.completed - oldest.completed)) / seconds
            )
        }
    }
}
