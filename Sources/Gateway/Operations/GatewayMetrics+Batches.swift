import CoreMetrics

extension GatewayMetrics {
    /// The running batches' and synthetic jobs' windows: `velocity_batch_window_risk_ratio{batch}`
    /// (the batch's or synthetic job's id; time their open lines need at their pace ÷ time left;
    /// left out before a line ended) and `velocity_batches_in_progress{risk}`. A batch that ended since the last scrape loses its gauge.
    func updateBatchWindows(_ windows: [(batch: String, window: BatchWindow)]) {
        var counts: [BatchWindow.Risk: Int] = [.onTrack: 0, .atRisk: 0, .late: 0]
        var current = Set<String>()
        for (batch, window) in windows {
            counts[window.risk, default: 0] += 1
            guard let ratio = window.ratio else { continue }
            current.insert(batch)
            Gauge(label: "velocity_batch_window_risk_ratio", dimensions: [("batch", batch)], factory: factory).record(ratio)
        }
        for (risk, count) in counts {
            Gauge(label: "velocity_batches_in_progress", dimensions: [("risk", risk.rawValue)], factory: factory)
                .record(count)
        }
        let gone = lastBatchWindows.withLock { last -> Set<String> in
            defer { last = current }
            return last.subtracting(current)
        }
        for batch in gone {
            Gauge(label: "velocity_batch_window_risk_ratio", dimensions: [("batch", batch)], factory: factory).destroy()
        }
    }
}
