/// What an operator set on a queue, as the system of record keeps it: the broker holds the
/// live copy, and a broker that lost its data gets this one back.
public struct QueueSettings: Sendable, Equatable {
    public var limits: QueueLimits
    public var paused: Bool

    public init(limits: QueueLimits = QueueLimits(), paused: Bool = false) {
        self.limits = limits
        self.paused = paused
    }
}
