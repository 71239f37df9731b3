/// What an operator set on a queue, as the system of record keeps it: the broker holds the
/// live copy, and a broker that lost its data gets this one back. A field never set through a
/// recording path is nil, and a restore leaves it as the broker has it.
public struct QueueSettings: Sendable, Equatable {
    public var limits: QueueLimits?
    public var paused: Bool?

    public init(limits: QueueLimits? = nil, paused: Bool? = nil) {
        self.limits = limits
        self.paused = paused
    }
}
