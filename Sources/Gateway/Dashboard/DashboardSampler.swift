import Broker
import Foundation
import GPUBox
import Logging
import ServiceLifecycle

/// Samples every queue and box into the dashboard's history, so a page opened now shows the
/// last hour and its alerts can tell how long a condition has held.
struct DashboardSampler: Service {
    let broker: any JobBroker
    let queues: [String]
    let boxes: BoxStateStore
    let history: DashboardHistory
    let interval: Duration
    let logger: Logger

    /// One sample of every queue (read together) and of `views`, the boxes read just before.
    static func sample(
        broker: any JobBroker, queues: [String], boxes views: [BoxStateStore.BoxView]
    ) async throws -> DashboardSample {
        let depths = try await withThrowingTaskGroup(of: QueueDepth.self) { group in
            for queue in queues { group.addTask { try await broker.depth(queue: queue) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let order = Dictionary(uniqueKeysWithValues: queues.enumerated().map { ($1, $0) })
        return DashboardSample(
            atMilliseconds: Int(Date().timeIntervalSince1970 * 1000),
            queues: depths.sorted { order[$0.queue, default: 0] < order[$1.queue, default: 0] },
            boxes: views.map { DashboardSample.Box($0, heartbeatTimeout: BoxDirectory.heartbeatTimeout) })
    }

    func run() async throws {
        var failing = false
        await every(interval) {
            history.append(try await Self.sample(broker: broker, queues: queues, boxes: try await boxes.boxes()))
            if failing { logger.info("dashboard sampling works again") }
            failing = false
        } failed: { error in
            // A gap in the charts, said once, rather than a log line every interval.
            if !failing { logger.warning("dashboard sample failed: \(error); retrying every \(interval)") }
            failing = true
        }
    }
}
