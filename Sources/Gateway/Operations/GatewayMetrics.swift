public import Broker
import CoreMetrics
import Foundation
public import GPUBox
public import Prometheus
import Synchronization

/// The gateway's Prometheus metrics, through swift-metrics with a registry of its own (no global
/// bootstrap, so several gateways, or tests, can live in one process).
///
/// Queue figures are read from Redis at scrape time; lifetime counters there are absolute, so
/// each scrape adds the difference since the last one.
public final class GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    private let lastTotals = Mutex<[String: Int]>([:])
    /// Label sets of the fair-share gauges at the last scrape, so one that is gone drops to 0.
    let lastShareLabels = Mutex<Set<[String]>>([])
    /// Batches with a window gauge at the last scrape: one that ended loses its gauge.
    let lastBatchWindows = Mutex<Set<String>>([])

    public static let jobDurationBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
        .seconds(300), .seconds(600), .seconds(1_800),
    ]

    /// Every metric name this gateway exports; the alert rules and dashboards are checked against it.
    public static let names = [
        "velocity_queue_depth", "velocity_queue_oldest_age_seconds", "velocity_queue_paused",
        "velocity_jobs_enqueued_total", "velocity_jobs_succeeded_total", "velocity_jobs_failed_total",
        "velocity_jobs_canceled_total", "velocity_jobs_retried_total", "velocity_jobs_dead_total",
        "velocity_lease_recoveries_total", "velocity_job_duration_seconds", "velocity_http_requests_total",
        "velocity_http_request_duration_seconds", "velocity_agent_up", "velocity_agent_heartbeat_age_seconds",
        "velocity_box_mode", "velocity_box_switching", "velocity_gpu_healthy", "velocity_gpu_utilization_ratio",
        "velocity_gpu_memory_used_bytes", "velocity_gpu_busy", "velocity_backend_restarts_total",
        "velocity_webhook_attempts_total", "velocity_webhook_pending", "velocity_webhook_oldest_pending_age_seconds",
        "velocity_schedule_ticks_total", "velocity_schedule_tick_delay_seconds", "velocity_queue_tenant_queued",
        "velocity_queue_limit_running", "velocity_queue_limit_cap", "velocity_queue_parked",
        "velocity_queue_throttled_total", "velocity_box_mode_advice_finish_seconds", "velocity_box_mode_advised",
        "velocity_box_autopilot_enabled", "velocity_box_autopilot_switches", "velocity_batch_window_risk_ratio",
        "velocity_batches_in_progress",
    ]

    /// How a webhook attempt ended, the `outcome` of `velocity_webhook_attempts_total`.
    public static let webhookOutcomes = ["delivered", "retried", "failed"]

    public init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["velocity_job_duration_seconds"] = Self.jobDurationBuckets
        factory.durationHistogramBuckets["velocity_schedule_tick_delay_seconds"] = [
            .milliseconds(50), .milliseconds(250), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10), .seconds(30),
            .seconds(60), .seconds(300),
        ]
        self.factory = factory
        // Present from the first scrape, at zero, so rates and alerts see the series before any webhook.
        for outcome in Self.webhookOutcomes {
            Counter(label: "velocity_webhook_attempts_total", dimensions: [("outcome", outcome)], factory: factory).increment(
                by: 0)
        }
        // Registered now, so the histogram is scraped (empty) before the first tick.
        _ = Timer(label: "velocity_schedule_tick_delay_seconds", dimensions: [], factory: factory)
        for decision in Self.tickDecisions {
            Counter(label: "velocity_schedule_ticks_total", dimensions: [("decision", decision)], factory: factory)
                .increment(by: 0)
        }
    }

    /// How a schedule's tick was decided, the `decision` of `velocity_schedule_ticks_total`.
    public static let tickDecisions = ["run", "skipped_overlap", "missed"]

    /// Counts a tick this gateway's scheduler decided, and how long after its time it was.
    public func recordTick(decision: String, delay: Duration) {
        Counter(label: "velocity_schedule_ticks_total", dimensions: [("decision", decision)], factory: factory).increment()
        Timer(label: "velocity_schedule_tick_delay_seconds", dimensions: [], factory: factory)
            .recordMilliseconds(delay.milliseconds)
    }

    /// Counts one webhook attempt by how it ended (`webhookOutcomes`).
    public func recordWebhookAttempt(outcome: String) {
        Counter(label: "velocity_webhook_attempts_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    /// The webhook outbox at scrape time: deliveries waiting, and how long the oldest has.
    public func updateWebhooks(pending: Int, oldestPendingAge: Duration) {
        Gauge(label: "velocity_webhook_pending", dimensions: [], factory: factory).record(pending)
        Gauge(label: "velocity_webhook_oldest_pending_age_seconds", dimensions: [], factory: factory)
            .record(Double(oldestPendingAge.milliseconds) / 1000)
    }

    /// Counts one HTTP request by its route pattern (never the raw path: ids would explode the series).
    public func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        Counter(
            label: "velocity_http_requests_total",
            dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory
        ).increment()
        Timer(
            label: "velocity_http_request_duration_seconds", dimensions: [("route", route), ("method", method)],
            factory: factory
        ).recordNanoseconds(duration.nanoseconds)
    }

    /// Times finished jobs by kind and final state (from the record sync, which sees each once).
    public func recordFinished(_ records: [JobStateRecord]) {
        for record in records where record.state.isTerminal {
            guard let started = record.started, record.at >= started else { continue }
            Timer(
                label: "velocity_job_duration_seconds",
                dimensions: [("kind", record.kind ?? "unknown"), ("state", record.state.rawValue)], factory: factory
            ).recordMilliseconds(record.at - started)
        }
    }

    /// Updates the queue gauges and counters from the broker's figures.
    public func update(_ depth: QueueDepth) {
        let queue = depth.queue
        let states = [
            ("queued", depth.queued), ("scheduled", depth.scheduled), ("active", depth.active), ("dead", depth.dead),
            ("finished", depth.finished),
        ]
        for (state, value) in states {
            Gauge(label: "velocity_queue_depth", dimensions: [("queue", queue), ("state", state)], factory: factory)
                .record(value)
        }
        Gauge(label: "velocity_queue_oldest_age_seconds", dimensions: [("queue", queue)], factory: factory)
            .record(Double(depth.oldestQueuedMilliseconds) / 1000)
        Gauge(label: "velocity_queue_paused", dimensions: [("queue", queue)], factory: factory)
            .record(depth.paused ? 1 : 0)
        let totals = [
            ("velocity_jobs_enqueued_total", depth.enqueuedTotal), ("velocity_jobs_succeeded_total", depth.succeededTotal),
            ("velocity_jobs_failed_total", depth.failedTotal), ("velocity_jobs_canceled_total", depth.canceledTotal),
            ("velocity_jobs_retried_total", depth.retriedTotal), ("velocity_jobs_dead_total", depth.deadTotal),
            ("velocity_lease_recoveries_total", depth.recoveredTotal),
        ]
        for (name, total) in totals { count(name, queue: queue, total: total) }
    }

    /// Adds to a queue's counter what its absolute total in Redis gained since the last scrape.
    func count(_ name: String, queue: String, total: Int) {
        let key = "\(name)|\(queue)"
        let delta = lastTotals.withLock { last -> Int in
            // A smaller total means Redis was reset: count from its new value.
            let previous = last[key] ?? 0
            last[key] = total
            return total >= previous ? total - previous : total
        }
        Counter(label: name, dimensions: [("queue", queue)], factory: factory).increment(by: max(delta, 0))
    }

    /// Updates the GPU box gauges from what the agents published. Restart counts are absolute
    /// in the agents' status, so each scrape adds the difference, like the queue totals.
    public func update(_ boxes: [BoxStateStore.BoxView], heartbeatTimeout: Duration) {
        for view in boxes {
            let status = view.status
            let box = status.box
            let alive = view.isAlive(timeout: heartbeatTimeout)
            Gauge(label: "velocity_agent_up", dimensions: [("box", box)], factory: factory).record(alive ? 1 : 0)
            Gauge(label: "velocity_agent_heartbeat_age_seconds", dimensions: [("box", box)], factory: factory)
                .record(Double(view.heartbeatAgeMilliseconds) / 1000)
            for mode in BoxMode.allCases {
                Gauge(label: "velocity_box_mode", dimensions: [("box", box), ("mode", mode.rawValue)], factory: factory)
                    .record(alive && status.mode == mode ? 1 : 0)
            }
            Gauge(label: "velocity_box_switching", dimensions: [("box", box)], factory: factory)
                .record(status.switching == nil ? 0 : 1)
            Gauge(label: "velocity_box_autopilot_enabled", dimensions: [("box", box)], factory: factory)
                .record(view.autopilot?.enabled == true ? 1 : 0)
            // Since its agent started (the agent counts them): a drop is a restart, not a recount.
            Gauge(label: "velocity_box_autopilot_switches", dimensions: [("box", box)], factory: factory)
                .record(status.autopilot?.switches ?? 0)
            for gpu in status.gpus {
                let dimensions = [("box", box), ("gpu", String(gpu.index))]
                Gauge(label: "velocity_gpu_healthy", dimensions: dimensions, factory: factory)
                    .record(alive && gpu.health == .healthy ? 1 : 0)
                Gauge(label: "velocity_gpu_busy", dimensions: dimensions, factory: factory)
                    .record(gpu.currentJob == nil ? 0 : 1)
                if let utilization = gpu.utilizationPercent {
                    Gauge(label: "velocity_gpu_utilization_ratio", dimensions: dimensions, factory: factory)
                        .record(Double(utilization) / 100)
                }
                if let used = gpu.memoryUsedMiB {
                    Gauge(label: "velocity_gpu_memory_used_bytes", dimensions: dimensions, factory: factory)
                        .record(used * 1_048_576)
                }
            }
            for (backend, restarts) in status.backendRestarts {
                let key = "restarts|\(box)|\(backend)"
                let delta = lastTotals.withLock { last -> Int in
                    let previous = last[key] ?? 0
                    last[key] = restarts
                    return restarts >= previous ? restarts - previous : restarts
                }
                Counter(
                    label: "velocity_backend_restarts_total", dimensions: [("box", box), ("backend", backend)], factory: factory
                )
                .increment(by: delta)
            }
        }
    }

    /// The mode advice of each live box: per mode, when the queued work would be done (-1:
    /// never, it has no capacity for work that is queued), and 1 on the mode advised.
    public func update(_ advice: [ModeAdvice]) {
        for box in advice {
            for option in box.options {
                let dimensions = [("box", box.box ?? ""), ("mode", option.mode.rawValue)]
                Gauge(label: "velocity_box_mode_advice_finish_seconds", dimensions: dimensions, factory: factory)
                    .record(option.finishSeconds ?? -1)
                Gauge(label: "velocity_box_mode_advised", dimensions: dimensions, factory: factory)
                    .record(option.mode == box.recommended ? 1 : 0)
            }
        }
    }

    /// The Prometheus text exposition.
    public func render() -> [UInt8] {
        registry.emitToBuffer()
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
