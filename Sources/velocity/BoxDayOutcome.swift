import Broker
import Foundation
import GPUBox

/// GPU-seconds idle while work waited, sampled from the box's published status: a GPU with no
/// job (its backend starting, switching, or simply not serving what is queued) counts while
/// any job is queued.
struct BoxDayMeter {
    let gpus: Int
    var idleGPUSeconds = 0.0
    var last: ContinuousClock.Instant?

    init(gpus: Int) { self.gpus = gpus }

    mutating func sample(_ status: BoxStatus?, waiting: Int) {
        let now = ContinuousClock.now
        defer { last = now }
        guard let last, waiting > 0 else { return }
        let busy = status?.gpus.filter { $0.currentJob != nil }.count ?? 0
        idleGPUSeconds += Double(max(gpus - busy, 0)) * (now - last).inSeconds
    }
}

/// What one policy did with the day.
struct BoxDayOutcome {
    var json: [String: Any]

    /// Reads every job's times back from the broker once the day is over. A render that never
    /// started waited until the end of the run (its wait is censored there).
    static func read(
        renders: [String], plan: BoxDayPlan, batches: [[JobSubmission]], epoch: Double, wall: Double, meter: BoxDayMeter,
        broker: any JobBroker, switches: [[String: Any]]
    ) async throws -> BoxDayOutcome {
        let endMs = Int((epoch + wall) * 1000)
        var waits: [Double] = []
        var started = 0
        for chunk in stride(from: 0, to: renders.count, by: 500).map({ Array(renders[$0..<min($0 + 500, renders.count)]) }) {
            for case let snapshot? in try await broker.jobs(queue: "media", ids: chunk) {
                guard let created = snapshot.createdMilliseconds else { continue }
                if snapshot.claimedMilliseconds != nil { started += 1 }
                waits.append(Double((snapshot.claimedMilliseconds ?? endMs) - created) / 1000)
            }
        }
        var inWindow = 0
        var onTime = 0
        var batchFigures: [[String: Any]] = []
        for (batch, jobs) in zip(plan.batches, batches) {
            let deadlineMs = Int((epoch + batch.deadline) * 1000)
            var done = 0
            var last = 0
            for chunk in stride(from: 0, to: jobs.count, by: 500).map({ Array(jobs[$0..<min($0 + 500, jobs.count)]) }) {
                for case let snapshot? in try await broker.jobs(queue: "llm", ids: chunk.map(\.id)) {
                    guard snapshot.state == .succeeded, let finished = snapshot.finishedMilliseconds else { continue }
                    last = max(last, finished)
                    if finished <= deadlineMs { done += 1 }
                }
            }
            inWindow += done
            if done == batch.lines { onTime += 1 }
            batchFigures.append([
                "name": batch.name, "lines": batch.lines, "in_window": done,
                "last_end_s": last > 0 ? Double(last) / 1000 - epoch : -1, "deadline_s": batch.deadline,
            ])
        }
        waits.sort()
        func quantile(_ q: Double) -> Double { waits.isEmpty ? 0 : waits[min(waits.count - 1, Int(Double(waits.count) * q))] }
        return BoxDayOutcome(json: [
            "render_wait_p50_s": quantile(0.5), "render_wait_p95_s": quantile(0.95),
            "renders_started": started,
            "lines_in_window": inWindow, "lines": plan.batches.map(\.lines).reduce(0, +), "batches_on_time": onTime,
            "batches": batchFigures, "idle_gpu_seconds": meter.idleGPUSeconds,
            "idle_share": meter.idleGPUSeconds / (Double(meter.gpus) * wall), "switches": switches.count, "switch_log": switches,
            "wall_s": wall,
        ])
    }
}
