@testable import Broker
@testable import Gateway
import Testing

@Suite("Queue rates")
struct QueueRatesTests {
    static func depth(enqueued: Int, succeeded: Int, failed: Int = 0) -> QueueDepth {
        QueueDepth(
            queue: "cpu", queued: 0, scheduled: 0, active: 0, dead: 0, finished: 0, oldestQueuedMilliseconds: 0,
            paused: false, enqueuedTotal: enqueued, succeededTotal: succeeded, failedTotal: failed, canceledTotal: 0,
            retriedTotal: 0, recoveredTotal: 0, deadTotal: 0)
    }

    @Test("rates are the counters' growth over the sampled window, unknown until a second has passed")
    func rates() {
        let rates = QueueRates(window: .seconds(60))
        let start = ContinuousClock.now
        #expect(rates.observe(Self.depth(enqueued: 100, succeeded: 50), now: start) == nil)
        #expect(rates.observe(Self.depth(enqueued: 110, succeeded: 50), now: start + .milliseconds(500)) == nil)
        let after10 = rates.observe(Self.depth(enqueued: 300, succeeded: 130, failed: 20), now: start + .seconds(10))
        #expect(after10?.enqueued == 20)
        #expect(after10?.completed == 10)
        // Samples older than the window drop out: the rate is over the last minute only.
        let later = rates.observe(Self.depth(enqueued: 300, succeeded: 150, failed: 20), now: start + .seconds(65))
        #expect(later?.enqueued == 0)
        #expect(later.map { abs($0.completed - 20.0 / 55.0) < 1e-9 } == true)
    }
}
