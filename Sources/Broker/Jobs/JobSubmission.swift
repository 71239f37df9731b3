/// A job as submitted: what to run, for whom, and under which limits.
public struct JobSubmission: Sendable, Equatable {
    public var id: String
    public var kind: String
    public var queue: String
    public var tenant: String
    public var actor: String
    /// JSON text; large inputs travel as blob references, never as bytes in here.
    public var payload: String
    /// Higher runs first; aging lets lower priorities through eventually.
    public var priority: Int
    public var maxAttempts: Int
    public var backoff: BackoffPolicy
    /// Time allowed between heartbeats: the lease. Independent of how long the job runs.
    public var leaseMilliseconds: Int
    /// Time allowed running, across heartbeats (0: no limit). Enforced by the worker.
    public var runTimeoutMilliseconds: Int
    /// Time allowed waiting before the first attempt (0: no limit).
    public var waitTimeoutMilliseconds: Int
    public var idempotencyKey: String?
    public var parentBatch: String?
    /// Not before this many milliseconds from now (0: at once).
    public var delayMilliseconds: Int
    /// When the job was first accepted (ms since 1970); kept when a job is restored from Postgres.
    public var createdMilliseconds: Int?
    /// Where its end is pushed as a signed webhook (kept in the Postgres record only).
    public var webhook: JobWebhook?
    /// The W3C `traceparent` of the span that submitted it, which the worker running it
    /// continues; nil when tracing is off.
    public var traceParent: String?
    /// Groups jobs under a cap or rate of their own across tenants and kinds (`lead:42`, `tenant:acme:import`):
    /// the queue's `cap:key:…` and `rate:key:…` limits count it. Nil for none.
    public var concurrencyKey: String?
    /// What a worker must hold to run it without a costly load first (a Dream Weaver job: its
    /// workflow, whose checkpoint a GPU may have loaded). A claim that prefers it takes it ahead
    /// of older jobs, within limits (`ClaimPreference`); nil for none. Kept in Redis only: a job
    /// restored from Postgres runs without it, which costs a load, never a wrong result.
    public var affinity: String?

    public init(
        id: String = JobID.make(), kind: String, queue: String, tenant: String = "default", actor: String = "",
        payload: String = "{}", priority: Int = 0, maxAttempts: Int = 3, backoff: BackoffPolicy = BackoffPolicy(),
        leaseMilliseconds: Int = 30_000, runTimeoutMilliseconds: Int = 0, waitTimeoutMilliseconds: Int = 0,
        idempotencyKey: String? = nil, parentBatch: String? = nil, delayMilliseconds: Int = 0,
        createdMilliseconds: Int? = nil, concurrencyKey: String? = nil, affinity: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.queue = queue
        self.tenant = tenant
        self.actor = actor
        self.payload = payload
        self.priority = priority
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.leaseMilliseconds = leaseMilliseconds
        self.runTimeoutMilliseconds = runTimeoutMilliseconds
        self.waitTimeoutMilliseconds = waitTimeoutMilliseconds
        self.idempotencyKey = idempotencyKey
        self.parentBatch = parentBatch
        self.delayMilliseconds = delayMilliseconds
        self.createdMilliseconds = createdMilliseconds
        self.concurrencyKey = concurrencyKey
        self.affinity = affinity
    }
}
