public import Broker
import CoreMetrics
import Synchronization

extension GatewayMetrics {
    /// Updates the fair-share gauges of one queue: queued jobs per tenant, running jobs and the
    /// cap of each capped subject, parked jobs per subject, and throttled claims. A tenant or
    /// subject seen before and gone now reads 0 rather than its last value.
    public func update(_ share: QueueFairShare) {
        let queue = share.queue
        var seen: [[String]] = []
        func gauge(_ name: String, _ label: String, _ value: String, _ number: Int) {
            Gauge(label: name, dimensions: [("queue", queue), (label, value)], factory: factory).record(number)
            seen.append([name, queue, label, value])
        }
        for (tenant, queued) in share.queuedByTenant { gauge("velocity_queue_tenant_queued", "tenant", tenant, queued) }
        for (subject, running) in share.running {
            gauge("velocity_queue_limit_running", "subject", subject, running)
            if let cap = share.limits.cap(for: subject) { gauge("velocity_queue_limit_cap", "subject", subject, cap) }
        }
        for (subject, parked) in share.parked { gauge("velocity_queue_parked", "subject", subject, parked) }
        let current = Set(seen)
        let gone = lastShareLabels.withLock { last -> Set<[String]> in
            let mine = last.filter { $0[1] == queue }
            last.subtract(mine)
            last.formUnion(current)
            return mine.subtracting(current)
        }
        for labels in gone {
            Gauge(label: labels[0], dimensions: [("queue", queue), (labels[2], labels[3])], factory: factory).record(0)
        }
        count("velocity_queue_throttled_total", queue: queue, total: share.throttledTotal)
    }
}
