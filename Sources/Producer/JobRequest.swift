public import Broker

/// A typed submission: what the submit side knows before the job has an id or a queue.
public struct JobRequest: Sendable, Equatable {
    public var kind: String
    /// JSON text.
    public var payload: String
    public var tenant: String
    public var actor: String
    public var priority: Int
    public var idempotencyKey: String?
    public var parentBatch: String?
    public var maxAttempts: Int
    public var backoff: BackoffPolicy
    public var timeouts: Timeouts
    public var delayMilliseconds: Int

    /// The three limits of a job's life.
    public struct Timeouts: Sendable, Equatable {
        /// Waiting before the first attempt (0: no limit).
        public var waitMilliseconds: Int
        /// Running, in total (0: no limit).
        public var runMilliseconds: Int
        /// Between heartbeats: the lease.
        public var heartbeatMilliseconds: Int

        public init(waitMilliseconds: Int = 0, runMilliseconds: Int = 0, heartbeatMilliseconds: Int = 30_000) {
            self.waitMilliseconds = waitMilliseconds
            self.runMilliseconds = runMilliseconds
            self.heartbeatMilliseconds = heartbeatMilliseconds
        }
    }

    /// Without a `priority`, the kind's default (`JobKind.defaultPriority`; 0 for a kind the
    /// standard registry does not know).
    public init(
        kind: String, payload: String = "{}", tenant: String = "default", actor: String = "", priority: Int? = nil,
        idempotencyKey: String? = nil, parentBatch: String? = nil, maxAttempts: Int = 3,
        backoff: BackoffPolicy = BackoffPolicy(), timeouts: Timeouts = Timeouts(), delayMilliseconds: Int = 0
    ) {
        self.kind = kind
        self.payload = payload
        self.tenant = tenant
        self.actor = actor
        self.priority = priority ?? JobKindRegistry.standard.kind(named: kind)?.defaultPriority ?? 0
        self.idempotencyKey = idempotencyKey
        self.parentBatch = parentBatch
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.timeouts = timeouts
        self.delayMilliseconds = delayMilliseconds
    }
}
