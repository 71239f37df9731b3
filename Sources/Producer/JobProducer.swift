public import Broker
import Foundation
public import JobContracts
import JobTracing
public import Logging
public import ServiceLifecycle

/// The submit side, one way through: a request is checked once (its kind, its payload against
/// the kind's contract, the broker's limits), recorded durably, then enqueued.
///
/// With a record store, a job is in Postgres before `submit` returns, so an accepted job
/// survives the loss of Redis; if the enqueue after the record fails, the job is still
/// accepted and `JobReconciler` enqueues it. With `batchesConcurrentSubmits`, single submits
/// that arrive together share one commit (`SubmitBatcher`, which must then run in the
/// process's service group: `services`).
public struct JobProducer: Sendable {
    public let broker: any JobBroker
    public let store: (any JobRecordStore)?
    public let kinds: JobKindRegistry
    public let limits: JobSubmission.Limits
    let logger: Logger
    let committer: SubmissionCommitter
    let batcher: SubmitBatcher?

    public init(
        broker: any JobBroker, store: (any JobRecordStore)?, kinds: JobKindRegistry = .standard,
        limits: JobSubmission.Limits = JobSubmission.Limits(), batchesConcurrentSubmits: Bool = false,
        logger: Logger = Logger(label: "velocity.producer")
    ) {
        self.broker = broker
        self.store = store
        self.kinds = kinds
        self.limits = limits
        self.logger = logger
        let committer = SubmissionCommitter(broker: broker, store: store, logger: logger)
        self.committer = committer
        self.batcher = batchesConcurrentSubmits ? SubmitBatcher(committer: committer, logger: logger) : nil
    }

    public struct Receipt: Sendable, Equatable {
        public var id: String
        public var queue: String
        /// False when an idempotency key matched an earlier submission: `id` is that job's.
        public var created: Bool
    }

    /// What must run beside the producer: the submit batcher, when it batches.
    public var services: [any Service] { batcher.map { [$0] } ?? [] }

    public func submit(_ request: JobRequest) async throws -> Receipt {
        try await submit(try prepare(request))
    }

    /// Records and enqueues one prepared submission: with the batcher, in the next commit
    /// shared with whatever else is waiting.
    public func submit(_ submission: JobSubmission) async throws -> Receipt {
        if let batcher { return try await batcher.submit(submission) }
        return try await committer.commit([submission])[0]
    }

    /// Submits many jobs; each chunk is one record transaction (COPY) and one enqueue script.
    public func submit(_ requests: [JobRequest], chunkSize: Int = 1_000) async throws -> [Receipt] {
        let submissions = try requests.map(prepare)
        var receipts: [Receipt] = []
        receipts.reserveCapacity(submissions.count)
        for start in stride(from: 0, to: submissions.count, by: max(1, chunkSize)) {
            let chunk = Array(submissions[start..<min(start + chunkSize, submissions.count)])
            receipts += try await committer.commit(chunk)
        }
        return receipts
    }

    /// Turns a request into a submission with an id and a queue, or refuses it naming the
    /// field: the one place a submit is checked.
    public func prepare(_ request: JobRequest) throws -> JobSubmission {
        guard let kind = kinds.kind(named: request.kind) else {
            throw BrokerError(
                .invalidJob, "kind: unknown kind '\(request.kind)'; known kinds are \(kinds.names.joined(separator: ", "))",
                field: "kind")
        }
        let payload: String
        let affinity: String?
        do {
            (payload, affinity) = try Self.checkedPayload(request.payload, kind: kind.name, kinds: kinds)
        } catch {
            throw BrokerError(.invalidJob, error.message, field: error.fieldPath)
        }
        var submission = JobSubmission(
            id: request.id ?? JobID.make(), kind: kind.name, queue: kind.queue, tenant: request.tenant,
            actor: request.actor, payload: payload, priority: request.priority, maxAttempts: request.maxAttempts,
            backoff: request.backoff, leaseMilliseconds: request.timeouts.heartbeatMilliseconds,
            runTimeoutMilliseconds: request.timeouts.runMilliseconds,
            waitTimeoutMilliseconds: request.timeouts.waitMilliseconds, idempotencyKey: request.idempotencyKey,
            parentBatch: request.parentBatch, delayMilliseconds: request.delayMilliseconds,
            createdMilliseconds: Int(Date().timeIntervalSince1970 * 1000))
        submission.webhook = request.webhook
        submission.concurrencyKey = request.concurrencyKey
        submission.affinity = affinity
        // The span submitting it (the HTTP request's), which the worker's spans continue.
        submission.traceParent = request.traceParent ?? JobTrace.current
        try submission.validate(limits)
        return submission
    }

    /// The payload text to store, once the kind's rules accept it, and the job's affinity.
    static func checkedPayload(_ payload: JobPayload, kind: String, kinds: JobKindRegistry) throws(PayloadError)
        -> (text: String, affinity: String?)
    {
        switch payload {
        case .json(let value):
            let affinity = try kinds.checkPayload(value, kind: kind)
            return (value.jsonText, affinity)
        case .text(let text):
            let affinity = try kinds.checkPayload(text: text, kind: kind)
            return (text, affinity)
        case .encoded(let text, let affinity):
            return (text, affinity)
        }
    }
}
