import Broker
import GPUBox

/// One look at every queue and GPU box, as the dashboard's sampler took it: the points of the
/// overview's charts and what its alerts are evaluated over.
struct DashboardSample: Sendable, Equatable {
    /// A GPU box as the box alerts need it.
    struct Box: Sendable, Equatable {
        var box: String
        var alive: Bool
        var heartbeatAgeMilliseconds: Int
        var mode: BoxMode?
        var switching: Bool
        /// The indexes of its GPUs that are not healthy.
        var unhealthyGPUs: [Int]
        /// Lifetime restarts per backend.
        var restarts: [String: Int]
    }

    var atMilliseconds: Int
    var queues: [QueueDepth]
    var boxes: [Box]

    func queue(_ name: String) -> QueueDepth? { queues.first { $0.queue == name } }
    func box(_ name: String) -> Box? { boxes.first { $0.box == name } }
}

extension DashboardSample.Box {
    init(_ view: BoxStateStore.BoxView, heartbeatTimeout: Duration) {
        let status = view.status
        self.init(
            box: status.box, alive: view.isAlive(timeout: heartbeatTimeout),
            heartbeatAgeMilliseconds: view.heartbeatAgeMilliseconds, mode: status.mode,
            switching: status.switching != nil, unhealthyGPUs: status.gpus.filter { $0.health != .healthy }.map(\.index),
            restarts: status.backendRestarts)
    }
}
