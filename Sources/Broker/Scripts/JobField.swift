/// A submitted job's fields as the broker stores them, declared once for Swift and Lua: in the
/// order `enqueue` takes them in ARGV, each named as in the job hash.
///
/// The Lua side is generated from this list (`BrokerScript.layout`): the stride of a job's
/// ARGV slots, a constant per slot, and the `HSET` that writes a new job's hash.
enum JobField: String, CaseIterable {
    case id, kind, tenant, actor, payload, priority
    case maxAttempts = "max_attempts"
    case leaseMilliseconds = "lease_ms"
    case runTimeoutMilliseconds = "run_timeout_ms"
    case waitTimeoutMilliseconds = "wait_timeout_ms"
    case idempotencyKey = "idempotency_key"
    case parentBatch = "parent"
    /// Not stored: it becomes `scheduled_ms`.
    case delayMilliseconds = "delay_ms"
    /// Stored as given, or as Redis time when empty.
    case createdMilliseconds = "created_ms"
    case backoff
    /// The submitter's W3C `traceparent` ('' for none).
    case traceParent = "trace"
    /// '1' when its webhook asks for progress milestones (`job.progress`), else ''.
    case progressMilestones = "milestones"
    /// The job's own cap and rate subject (`key:<this>`), '' for none.
    case concurrencyKey = "concurrency_key"
    /// What a worker must hold to run it cheaply ('' for nothing): a claim that prefers it
    /// takes it ahead of older jobs (`ClaimPreference`).
    case affinity

    /// Fields most jobs leave empty: written to the job hash only when set.
    static let sparse: [JobField] = [.traceParent, .progressMilestones, .concurrencyKey, .affinity]

    /// `allCases` made once: every enqueued job is encoded through it.
    static let ordered = allCases

    /// 1-based offset of the field in a job's ARGV slots, as Lua indexes.
    var slot: Int { Self.ordered.firstIndex(of: self)! + 1 }

    /// The Lua constant holding `slot`.
    var luaConstant: String { "F_" + rawValue.uppercased() }

    /// The field of `job` as the script receives it ('' for none).
    func encode(_ job: JobSubmission) -> String {
        switch self {
        case .id: job.id
        case .kind: job.kind
        case .tenant: job.tenant
        case .actor: job.actor
        case .payload: job.payload
        case .priority: String(job.priority)
        case .maxAttempts: String(job.maxAttempts)
        case .leaseMilliseconds: String(job.leaseMilliseconds)
        case .runTimeoutMilliseconds: String(job.runTimeoutMilliseconds)
        case .waitTimeoutMilliseconds: String(job.waitTimeoutMilliseconds)
        case .idempotencyKey: job.idempotencyKey ?? ""
        case .parentBatch: job.parentBatch ?? ""
        case .delayMilliseconds: String(job.delayMilliseconds)
        case .createdMilliseconds: job.createdMilliseconds.map(String.init) ?? ""
        case .backoff: job.backoff.encoded
        case .traceParent: job.traceParent ?? ""
        case .progressMilestones: job.webhook?.wantsProgress == true ? "1" : ""
        case .concurrencyKey: job.concurrencyKey ?? ""
        case .affinity: job.affinity ?? ""
        }
    }

    /// Appends every field of `job`, in order: its ARGV slots in `enqueue`.
    static func encode(_ job: JobSubmission, into arguments: inout [String]) {
        for field in ordered { arguments.append(field.encode(job)) }
    }
}
