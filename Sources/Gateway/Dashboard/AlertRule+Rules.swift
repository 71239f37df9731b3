import Broker
import GPUBox

extension AlertRule {
    /// The queue and box rules of `ops/prometheus/alerts.yml`, with its names, severities,
    /// `for` durations, thresholds and runbooks (a test keeps the two in step). The gateway
    /// rules (5xx, latency, scrape up) and the schedule rules need Prometheus's own data and
    /// are left to it.
    static let dashboardRules: [AlertRule] = queueRules + boxRules

    static let minute = 60_000
    /// The rules' increase window.
    static let window = 15 * minute

    /// How long the oldest job of a queue may wait before `VelocityOldestJobTooOld`.
    static let patience: [String: Int] = ["media": 300_000, "llm": 3_600_000, "cpu": 900_000]

    static let queueRules: [AlertRule] = [
        AlertRule(
            name: "VelocityOldestJobTooOld", severity: "warning", holdForMilliseconds: 5 * minute,
            runbook: "ops/runbooks/stuck-job.md#jobs-wait-too-long-in-a-queue",
            condition: queues { samples, index, depth in
                guard let patience = patience[depth.queue], !depth.paused else { return false }
                return depth.oldestQueuedMilliseconds > patience
            },
            summary: { "Jobs wait too long in the \($0["queue"] ?? "") queue" }),
        AlertRule(
            name: "VelocityQueueWithoutCapacity", severity: "warning", holdForMilliseconds: 10 * minute,
            runbook: "ops/runbooks/switching-modes.md#when-to-switch",
            condition: queues { samples, index, depth in
                let modes: Set<BoxMode>
                switch depth.queue {
                case "media": modes = [.media, .split]
                case "llm": modes = [.llm, .split]
                default: return false
                }
                return depth.queued > 0
                    && !samples[index].boxes.contains { $0.alive && $0.mode.map(modes.contains) == true }
            },
            summary: { "No GPU box serves the \($0["queue"] ?? "") queue" }),
        AlertRule(
            name: "VelocityQueuePausedTooLong", severity: "warning", holdForMilliseconds: 30 * minute,
            runbook: "ops/runbooks/stuck-job.md#a-paused-queue", condition: queues { _, _, depth in depth.paused },
            summary: { "The \($0["queue"] ?? "") queue has been paused for 30 minutes" }),
        AlertRule(
            name: "VelocityLeaseRecoveriesRising", severity: "warning", holdForMilliseconds: 5 * minute,
            runbook: "ops/runbooks/stuck-job.md#lease-recoveries",
            condition: queues { samples, index, depth in
                (increase(samples, index, depth.queue, \.recoveredTotal) ?? 0) > 3
            },
            summary: { "Expired leases are being recovered in the \($0["queue"] ?? "") queue" }),
        AlertRule(
            name: "VelocityRetriesRising", severity: "warning", holdForMilliseconds: 15 * minute,
            runbook: "ops/runbooks/stuck-job.md#retries-and-dead-jobs",
            condition: queues { samples, index, depth in
                guard let retried = increase(samples, index, depth.queue, \.retriedTotal), retried > 10 else {
                    return false
                }
                let enqueued = increase(samples, index, depth.queue, \.enqueuedTotal) ?? 0
                return Double(retried) / Double(max(enqueued, 1)) > 0.2
            },
            summary: { "Many \($0["queue"] ?? "") jobs are being retried" }),
        AlertRule(
            name: "VelocityDeadJobs", severity: "warning", holdForMilliseconds: minute,
            runbook: "ops/runbooks/stuck-job.md#retries-and-dead-jobs",
            condition: queues { samples, index, depth in
                (increase(samples, index, depth.queue, \.deadTotal) ?? 0) > 0
            },
            summary: { "Jobs in \($0["queue"] ?? "") ran out of attempts" }),
        AlertRule(
            name: "VelocityJobFailuresHigh", severity: "warning", holdForMilliseconds: 15 * minute,
            runbook: "ops/runbooks/stuck-job.md#retries-and-dead-jobs",
            condition: queues { samples, index, depth in
                let failed = increase(samples, index, depth.queue, \.failedTotal) ?? 0
                let succeeded = increase(samples, index, depth.queue, \.succeededTotal) ?? 0
                return Double(failed) / Double(max(failed + succeeded, 1)) > 0.1
            },
            summary: { "More than 10% of \($0["queue"] ?? "") jobs fail" }),
    ]

    static let boxRules: [AlertRule] = [
        AlertRule(
            name: "VelocityAgentDown", severity: "critical", holdForMilliseconds: 2 * minute,
            runbook: "ops/runbooks/box-agent.md#agent-down-or-heartbeat-lost",
            condition: boxes { _, _, box in !box.alive },
            summary: { "The agent of GPU box \($0["box"] ?? "") is down" }),
        AlertRule(
            name: "VelocityAgentHeartbeatLate", severity: "warning", holdForMilliseconds: 2 * minute,
            runbook: "ops/runbooks/box-agent.md#agent-down-or-heartbeat-lost",
            condition: boxes { _, _, box in box.alive && box.heartbeatAgeMilliseconds > 5_000 },
            summary: { "The agent of \($0["box"] ?? "") heartbeats late" }),
        AlertRule(
            name: "VelocityGPUUnhealthy", severity: "critical", holdForMilliseconds: 5 * minute,
            runbook: "ops/runbooks/gpu-out-of-memory.md#a-gpu-reported-unhealthy",
            condition: { samples, index in
                samples[index].boxes.filter { $0.alive && !$0.switching }.flatMap { box in
                    box.unhealthyGPUs.map { ["box": box.box, "gpu": String($0)] }
                }
            },
            summary: { "GPU \($0["gpu"] ?? "") of \($0["box"] ?? "") is unhealthy" }),
        AlertRule(
            name: "VelocityBackendRestarting", severity: "warning", holdForMilliseconds: 5 * minute,
            runbook: "ops/runbooks/box-agent.md#a-backend-keeps-restarting",
            condition: { samples, index in
                samples[index].boxes.flatMap { box in
                    box.restarts.keys.sorted().filter { backend in
                        let grew = AlertRule.increase(samples, at: index, window: window) {
                            $0.box(box.box)?.restarts[backend]
                        }
                        return (grew ?? 0) > 3
                    }.map { ["box": box.box, "backend": $0] }
                }
            },
            summary: { "Backend \($0["backend"] ?? "") on \($0["box"] ?? "") keeps restarting" }),
        AlertRule(
            name: "VelocityBoxSwitchingTooLong", severity: "warning", holdForMilliseconds: 30 * minute,
            runbook: "ops/runbooks/switching-modes.md#a-switch-takes-too-long",
            condition: boxes { _, _, box in box.switching },
            summary: { "GPU box \($0["box"] ?? "") has been switching modes for 30 minutes" }),
        AlertRule(
            name: "VelocityBoxWithoutMode", severity: "critical", holdForMilliseconds: 5 * minute,
            runbook: "ops/runbooks/switching-modes.md#a-switch-failed-rolled-back-or-halted",
            condition: boxes { _, _, box in box.alive && box.mode == nil && !box.switching },
            summary: { "GPU box \($0["box"] ?? "") runs no mode" }),
    ]

    /// A condition per queue, labelled with the queue.
    static func queues(
        _ holds: @escaping @Sendable ([DashboardSample], Int, QueueDepth) -> Bool
    ) -> @Sendable ([DashboardSample], Int) -> [Labels] {
        { samples, index in samples[index].queues.filter { holds(samples, index, $0) }.map { ["queue": $0.queue] } }
    }

    /// A condition per box, labelled with the box.
    static func boxes(
        _ holds: @escaping @Sendable ([DashboardSample], Int, DashboardSample.Box) -> Bool
    ) -> @Sendable ([DashboardSample], Int) -> [Labels] {
        { samples, index in samples[index].boxes.filter { holds(samples, index, $0) }.map { ["box": $0.box] } }
    }

    /// The increase of a queue's counter over the rules' window.
    static func increase(
        _ samples: [DashboardSample], _ index: Int, _ queue: String, _ counter: KeyPath<QueueDepth, Int>
    ) -> Int? {
        increase(samples, at: index, window: window) { $0.queue(queue)?[keyPath: counter] }
    }
}
