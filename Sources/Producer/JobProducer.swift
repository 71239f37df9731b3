public import Broker
import Foundation
public import Logging

/// The submit side: validates requests, records them durably, then enqueues them.
///
/// With a record store, a job is in Postgres before `submit` returns, so an accepted job
/// survives the loss of Redis; if the enqueue after the record fails, the job is still
/// accepted and `JobReconciler` enqueues it.
public struct JobProducer: Sendable {
    public let broker: any JobBroker
    public let store: (any JobRecordStore)?
    public let kinds: JobKindRegistry
    public let limits: JobSubmission.Limits
    let logger: Logger

    public init(
        broker: any JobBroker, store: (any JobRecordStore)?, kinds: JobKindRegistry = .standard,
        limits: JobSubmission.Limits = JobSubmission.Limits(), logger: Logger = Logger(label: "velocity.producer")
    ) {
        self.broker = broker
        self.store = store
        self.kinds = kinds
        self.limits = limits
        self.logger = logger
    }

    public struct Receipt: Sendable, Equatable {
        public var id: String
        public var queue: String
        /// False when an idempotency key matched an earlier submission: `id` is that job's.
        public var created: Bool
    }

    public func submit(_ request: JobRequest) async throws -> Receipt {
        try await submit([request])[0]
    }

    /// Submits many jobs; each chunk is one record transaction (COPY) and one enqueue script.
    public func submit(_ requests: [JobRequest], chunkSize: Int = 1_000) async throws -> [Receipt] {
        let submissions = try requests.map(submission(for:))
        var receipts: [Receipt] = []
        receipts.reserveCapacity(submissions.count)
        for start in stride(from: 0, to: submissions.count, by: max(1, chunkSize)) {
            let chunk = Array(submissions[start..<min(start + chunkSize, submissions.count)])
            receipts += try await submit(validated: chunk)
        }
        return receipts
    }

    /// Turns a request into a submission with an id and a queue, or refuses it.
    public func submission(for request: JobRequest) throws -> JobSubmission {
        guard let kind = kinds.kind(named: request.kind) else {
            throw BrokerError(
                .invalidJob, "kind: unknown kind '\(request.kind)'; known kinds are \(kinds.names.joined(separator: ", "))",
                field: "kind")
        }
        guard Self.isJSON(request.payload) else {
            throw BrokerError(.invalidJob, "payload: must be a JSON object or array", field: "payload")
        }
        let submission = JobSubmission(
            kind: kind.name, queue: kind.queue, tenant: request.tenant, actor: request.actor, payload: request.payload,
            priority: request.priority, maxAttempts: request.maxAttempts, backoff: request.backoff,
            leaseMilliseconds: request.timeouts.heartbeatMilliseconds,
            runTimeoutMilliseconds: request.timeouts.runMilliseconds,
            waitTimeoutMilliseconds: request.timeouts.waitMilliseconds, idempotencyKey: request.idempotencyKey,
            parentBatch: request.parentBatch, delayMilliseconds: request.delayMilliseconds,
            createdMilliseconds: Int(Date().timeIntervalSince1970 * 1000))
        try submission.validate(limits)
        return submission
    }

    /// Records and enqueues submissions that `submission(for:)` already made: one record
    /// transaction and one enqueue for all of them, which is how a gateway batches concurrent
    /// requests into one commit.
    public func submit(validated submissions: [JobSubmission]) async throws -> [Receipt] {
        guard let store else {
            let outcomes = try await broker.enqueue(submissions)
            return zip(submissions, outcomes).map { Receipt(id: $1.id, queue: $0.queue, created: $1.created) }
        }
        let outcomes = try await store.recordAccepted(submissions)
        let fresh = zip(submissions, outcomes).filter { $1.created }.map(\.0)
        if !fresh.isEmpty {
            do {
                _ = try await broker.enqueue(fresh)
            } catch {
                // Durable already: the reconciler enqueues these after its grace period.
                logger.error("recorded \(fresh.count) jobs but could not enqueue them yet: \(error)")
            }
        }
        return zip(submissions, outcomes).map { Receipt(id: $1.id, queue: $0.queue, created: $1.created) }
    }

    static func isJSON(_ text: String) -> Bool {
        guard let first = text.utf8.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }),
            first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
        else { return false }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil
    }
}
