import Testing

@testable import Gateway

/// The batch window gauges: a ratio per running batch while it has one, gone once the batch is.
@Suite("Batch window metrics")
struct BatchWindowMetricsTests {
    func text(_ metrics: GatewayMetrics) -> String { String(decoding: metrics.render(), as: UTF8.self) }

    @Test("a batch's ratio gauge is exported while it runs with a pace and dropped once it ended; counts by risk stay")
    func ratioGaugeFollowsTheBatch() {
        let metrics = GatewayMetrics()
        let late = BatchWindow.assess(total: 10, ended: 2, startedAt: 0, expiresAt: 1_100, now: 1_000, promoted: false)
        let early = BatchWindow.assess(total: 10, ended: 0, startedAt: 0, expiresAt: 86_400, now: 60, promoted: false)
        metrics.updateBatchWindows([("batch_a", late), ("batch_b", early)])
        var exported = text(metrics)
        #expect(exported.contains(#"velocity_batch_window_risk_ratio{batch="batch_a"} 40"#), "\(exported)")
        #expect(!exported.contains(#"batch="batch_b""#), "no pace yet, no ratio")
        #expect(exported.contains(#"velocity_batches_in_progress{risk="late"} 1"#))
        #expect(exported.contains(#"velocity_batches_in_progress{risk="on_track"} 1"#))
        metrics.updateBatchWindows([("batch_b", early)])
        exported = text(metrics)
        #expect(!exported.contains(#"batch="batch_a""#), "\(exported)")
        #expect(exported.contains(#"velocity_batches_in_progress{risk="late"} 0"#))
    }
}
