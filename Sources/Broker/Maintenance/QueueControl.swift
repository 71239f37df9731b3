/// An operator's changes to a queue (limits, pause): recorded in the system of record first,
/// then applied to the broker, so that a Redis that lost its data gets them back.
///
/// Every path that changes them goes through here: the gateway's routes and its YAML, and a
/// worker's `--limits` (recorded when the worker has a record store).
public struct QueueControl: Sendable {
    public let broker: any JobBroker
    /// Nil: the change lives in the broker only, and is gone with the broker's data.
    public let store: (any JobRecordStore)?

    public init(broker: any JobBroker, store: (any JobRecordStore)?) {
        self.broker = broker
        self.store = store
    }

    /// Checks, records and applies a queue's limits; a bad rule is refused before anything is
    /// written. Returns how many parked jobs went back to wait their turn.
    @discardableResult
    public func setLimits(queue: String, _ limits: QueueLimits) async throws -> Int {
        try limits.validate()
        try await store?.recordLimits(queue: queue, limits)
        return try await broker.setLimits(queue: queue, limits)
    }

    public func setPaused(queue: String, _ paused: Bool) async throws {
        try await store?.recordPaused(queue: queue, paused)
        try await broker.setPaused(queue: queue, paused)
    }

    /// The queues whose recorded settings the broker does not hold as recorded (it lost its
    /// data, or a change reached the record but not the broker); with `repair`, the recorded
    /// ones are applied again. The record wins: it is what the operator last set.
    public func restore(repair: Bool = true) async throws -> [String] {
        guard let store else { return [] }
        var drifted: [String] = []
        for (queue, recorded) in try await store.queueSettings().sorted(by: { $0.key < $1.key }) {
            guard try await differs(queue: queue, from: recorded) else { continue }
            drifted.append(queue)
            guard repair else { continue }
            // Read again just before applying: an operator's change since the first read wins.
            guard let latest = try await store.queueSettings()[queue] else { continue }
            if let limits = latest.limits, try await broker.limits(queue: queue) != limits {
                try await broker.setLimits(queue: queue, limits)
            }
            if let paused = latest.paused, try await broker.depth(queue: queue).paused != paused {
                try await broker.setPaused(queue: queue, paused)
            }
        }
        return drifted
    }

    /// Whether the broker holds a recorded field otherwise; a field never recorded never differs.
    private func differs(queue: String, from recorded: QueueSettings) async throws -> Bool {
        if let limits = recorded.limits, try await broker.limits(queue: queue) != limits { return true }
        if let paused = recorded.paused, try await broker.depth(queue: queue).paused != paused { return true }
        return false
    }
}
