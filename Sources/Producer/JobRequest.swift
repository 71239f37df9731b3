public import Broker
public import JobContracts

/// A typed submission: what the submit side knows before the job has a queue.
public struct JobRequest: Sendable {
    /// A pre-assigned id, for a job whose blobs are named after it before it is submitted;
    /// nil gives it a new UUIDv7.
    public var id: String?
    public var kind: String
    public var payload: JobPayload
    public var tenant: String
    public var actor: String
    public var priority: Int
    public var idempotencyKey: String?
    public var parentBatch: String?
    public var maxAttempts: Int
    public var backoff: BackoffPolicy
    public var timeouts: Timeouts
    public var delayMilliseconds: Int
    /// Push the job's end to this URL (signed); checked by the gateway before it gets here.
    public var webhook: JobWebhook?
    /// The W3C `traceparent` its spans continue; nil takes the calling task's span, if any
    /// (a batch's children are submitted later, under the batch's own).
    public var traceParent: String?
    /// Its own cap and rate subject (`key:<this>` in the queue's limits), e.g. `lead:42`.
    public var concurrencyKey: String?

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
        id: String? = nil, kind: String, payload: JobPayload, tenant: String = "default", actor: String = "",
        priority: Int? = nil, idempotencyKey: String? = nil, parentBatch: String? = nil, maxAttempts: Int = 3,
        backoff: BackoffPolicy = BackoffPolicy(), timeouts: Timeouts = Timeouts(), delayMilliseconds: Int = 0
    ) {
        self.id = id
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

    /// A request whose payload is JSON text (the command line, benchmarks, tests); the producer
    /// parses it, once.
    public init(
        kind: String, payload: String = "{}", tenant: String = "default", actor: String = "", priority: Int? = nil,
        idempotencyKey: String? = nil, parentBatch: String? = nil, maxAttempts: Int = 3,
        backoff: BackoffPolicy = BackoffPolicy(), timeouts: Timeouts = Timeouts(), delayMilliseconds: Int = 0
    ) {
        self.init(
            kind: kind, payload: .text(payload), tenant: tenant, actor: actor, priority: priority,
            idempotencyKey: idempotencyKey, parentBatch: parentBatch, maxAttempts: maxAttempts, backoff: backoff,
            timeouts: timeouts, delayMilliseconds: delayMilliseconds)
    }
}

/// A job's payload as the submitter has it.
public enum JobPayload: Sendable, Equatable {
    /// Already parsed (the gateway's request body): checked against the kind's contract as it is.
    case json(JSONValue)
    /// JSON text, parsed by the producer.
    case text(String)
    /// A contract's typed payload, validated and encoded by `JobPayload.typed`, with its affinity.
    case encoded(String, affinity: String?)

    /// A typed payload of `Contract`, validated here (a refusal names the field) and encoded
    /// once, so the producer neither parses nor checks it again.
    public static func typed<Contract: JobContract>(
        _ contract: Contract.Type, _ payload: Contract.Payload
    ) throws -> JobPayload {
        do {
            try Contract.validate(payload)
        } catch {
            throw BrokerError(.invalidJob, error.message, field: error.fieldPath)
        }
        return .encoded(try Contract.encode(payload), affinity: Contract.affinity(of: payload))
    }
}
