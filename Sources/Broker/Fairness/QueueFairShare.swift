/// How a queue's work is shared out now: what each tenant has queued, what runs against each
/// capped subject, what waits parked on a full kind or key, and how often limits held a job back.
public struct QueueFairShare: Sendable, Equatable, Codable {
    public var queue: String
    /// Tenant → jobs in its band rotations (parked jobs not included).
    public var queuedByTenant: [String: Int]
    /// Capped subject → jobs running under it.
    public var running: [String: Int]
    /// Kind or key subject → jobs parked until it has room.
    public var parked: [String: Int]
    /// Jobs a claim passed over for a full kind or key cap or rate, since the queue began.
    public var throttledTotal: Int
    public var limits: QueueLimits
    /// Priority → jobs ready at it (parked jobs not included): what is interactive and what backfill.
    public var queuedByPriority: [Int: Int]

    public init(
        queue: String, queuedByTenant: [String: Int], running: [String: Int], parked: [String: Int],
        throttledTotal: Int, limits: QueueLimits, queuedByPriority: [Int: Int] = [:]
    ) {
        self.queuedByPriority = queuedByPriority
        self.queue = queue
        self.queuedByTenant = queuedByTenant
        self.running = running
        self.parked = parked
        self.throttledTotal = throttledTotal
        self.limits = limits
    }

    enum CodingKeys: String, CodingKey {
        case queue, running, parked, limits
        case queuedByTenant = "queued_by_tenant"
        case throttledTotal = "throttled_total"
        case queuedByPriority = "queued_by_priority"
    }

    /// Jobs ready below priority 0: batch lines and synthetic lines, which run as backfill.
    public var backfill: Int { queuedByPriority.filter { $0.key < 0 }.values.reduce(0, +) }
}
