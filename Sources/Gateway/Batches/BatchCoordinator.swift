public import BlobStore
public import Broker
import Foundation
import JobContracts
public import Logging
public import Producer
public import ServiceLifecycle

/// Drives batches through OpenAI's life cycle: validates input files, creates one child job
/// per request, watches the children, writes the output and error files, and carries out
/// cancels and expiry.
///
/// Safe with several gateway processes on one database: a process works a batch only while
/// it holds the batch's lease, and every transition is conditional on the status it leaves.
/// Safe across restarts: children have idempotency keys derived from the batch and the
/// request's `custom_id`, and output files have ids derived from the batch, so a step that
/// crashed half-way runs again without duplicates once its lease runs out.
public struct BatchCoordinator: Service {
    let store: BatchStore
    /// The children's ends, from the system of record: where the output files come from, and
    /// the counts when the broker's are incomplete.
    let records: any JobRecordStore
    let blobs: any BlobStore
    let producer: JobProducer
    let broker: any JobBroker
    let pollInterval: Duration
    let leaseMilliseconds: Int
    /// Child jobs recorded (one COPY) and enqueued per round trip.
    let chunkSize: Int
    /// This process, as the holder of leases.
    let owner: String
    let logger: Logger

    /// - Parameters:
    ///   - postgres: the pool of the gateway's `files` and `batches` tables.
    ///   - records: the system of record, where the children's ends are read for the output.
    ///   - producer: submits the children (and its broker cancels them).
    public init(
        postgres: PostgresPool, records: any JobRecordStore, blobs: any BlobStore, producer: JobProducer, logger: Logger,
        pollInterval: Duration = .milliseconds(250), leaseMilliseconds: Int = 60_000, chunkSize: Int = 1_000
    ) {
        self.store = BatchStore(pool: postgres)
        self.records = records
        self.blobs = blobs
        self.producer = producer
        self.broker = producer.broker
        self.pollInterval = pollInterval
        self.leaseMilliseconds = leaseMilliseconds
        self.chunkSize = chunkSize
        self.owner = "gateway-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        self.logger = logger
    }

    public func run() async throws {
        await every(pollInterval) {
            try await runOnce()
        } failed: { error in
            logger.error("batch coordinator pass failed", metadata: ["error": "\(error)"])
        }
    }

    /// One pass over the batches with work left; a step already started finishes before a
    /// graceful shutdown ends the service.
    func runOnce() async throws {
        for (id, status) in try await store.claimableBatches(limit: 1_000) {
            if Task.isShuttingDownGracefully { return }
            guard
                let (batch, pastExpiry) = try await store.claim(
                    id: id, status: status, owner: owner, leaseMilliseconds: leaseMilliseconds)
            else { continue }
            do {
                try await step(batch, pastExpiry: pastExpiry)
            } catch {
                logger.error(
                    "batch step failed; it is retried on a later pass",
                    metadata: ["batch": "\(id)", "status": "\(status.rawValue)", "error": "\(error)"])
            }
            try? await store.release(id: id, owner: owner)
        }
    }

    func step(_ batch: BatchStore.StoredBatch, pastExpiry: Bool) async throws {
        switch batch.status {
        case .validating:
            try await validate(batch)
        case .in_progress:
            let counts = try await lineCounts(batch)
            try await store.updateCounts(id: batch.id, completed: counts.succeeded, failed: counts.unsuccessful)
            if pastExpiry {
                try await windDown(batch, to: .expired)
            } else if counts.ended < batch.total {
                try await promoteIfLate(batch, ended: counts.ended)
            } else {
                // The output file is written from the record: wait until every end has reached it.
                guard try await records.childCounts(parentBatch: batch.id).ended >= batch.total else { return }
                guard
                    try await store.transition(
                        id: batch.id, from: .in_progress, to: .finalizing, owner: owner, keepLease: true)
                else { return }
                try await finish(batch, from: .finalizing, to: .completed)
            }
        case .finalizing:
            try await finish(batch, from: .finalizing, to: .completed)
        case .cancelling:
            try await windDown(batch, to: .cancelled)
        case .failed, .completed, .expired, .cancelled:
            return
        }
    }

    /// How the batch's lines stand, read on every pass: the broker's counts, which its scripts
    /// keep as each line moves (one hash read, however large the batch), while they account for
    /// every line; the record's (a count over the jobs table) when they do not, as after Redis
    /// lost its data and the reconciler restored only the open lines.
    func lineCounts(_ batch: BatchStore.StoredBatch) async throws -> BatchChildCounts {
        let live = try await broker.batchCounts(queue: LLMBatchLine.kind.queue, parents: [batch.id])[batch.id]
        if let live, live.total >= batch.total {
            return BatchChildCounts(
                succeeded: live.succeeded, unsuccessful: live.failed + live.canceled + live.dead, all: live.total,
                canceled: live.canceled)
        }
        return try await records.childCounts(parentBatch: batch.id)
    }

    /// Reads and checks the input file; a file with any bad line fails the batch with every
    /// problem listed and no child job, a good one becomes one child job per line.
    func validate(_ batch: BatchStore.StoredBatch) async throws {
        let bytes: [UInt8]
        if let file = try await store.file(id: batch.inputFileID) {
            bytes = try await blobs.read(file.blobKey)
        } else {
            try await fail(
                batch,
                [BatchLineError(code: "file_not_found", message: "The input file no longer exists.", param: "input_file_id")])
            return
        }
        switch BatchInputValidator().validate(bytes, endpoint: batch.endpoint) {
        case .failure(let failure):
            try await fail(batch, failure.errors)
        case .success(let requests):
            let jobs = requests.map { request in
                let payload: JSONValue = .object([
                    "batch_id": .string(batch.id), "custom_id": .string(request.customID),
                    "method": .string(request.method), "url": .string(request.url), "body": request.body,
                ])
                var job = JobRequest(
                    kind: LLMBatchLine.kind.name, payload: .json(payload), tenant: batch.tenant, actor: "batch:\(batch.id)",
                    idempotencyKey: BatchInputValidator.idempotencyKey(batchID: batch.id, customID: request.customID),
                    parentBatch: batch.id)
                // Made later, by the coordinator: each line continues the trace of the batch's submit.
                job.traceParent = batch.traceParent
                return job
            }
            _ = try await producer.submit(jobs, chunkSize: chunkSize)
            // The window a GPU box's mode advice plans its LLM capacity around (set again by a
            // step that crashed half-way: it changes nothing).
            if let expiresAt = batch.expiresAt {
                try await broker.setBatchWindow(
                    queue: LLMBatchLine.kind.queue, parent: batch.id, dueMilliseconds: expiresAt * 1000)
            }
            try await store.setTotal(id: batch.id, total: requests.count)
            // A cancel that came in meanwhile moved the batch to `cancelling`: the next pass
            // cancels the children just created.
            _ = try await store.transition(
                id: batch.id, from: .validating, to: .in_progress, owner: owner, total: requests.count)
        }
    }

    func fail(_ batch: BatchStore.StoredBatch, _ errors: [BatchLineError]) async throws {
        let text = String(decoding: try JSONEncoder().encode(errors), as: UTF8.self)
        _ = try await store.transition(id: batch.id, from: .validating, to: .failed, owner: owner, errors: text)
    }

    /// Cancels the children that have not ended, then ends the batch once they all have.
    func windDown(_ batch: BatchStore.StoredBatch, to final: BatchStatus) async throws {
        try await ChildJobCanceller(records: records, broker: broker, logger: logger).cancelOpen(parentBatch: batch.id)
        let counts = try await records.childCounts(parentBatch: batch.id)
        try await store.updateCounts(id: batch.id, completed: counts.succeeded, failed: counts.unsuccessful)
        guard counts.ended >= counts.all else { return }
        try await finish(batch, from: batch.status, to: final)
    }

    /// Writes the output and error files and moves the batch to its final status.
    func finish(_ batch: BatchStore.StoredBatch, from: BatchStatus, to final: BatchStatus) async throws {
        let written = try await BatchResultWriter(store: store, records: records, blobs: blobs).write(batch, ending: final)
        _ = try await store.transition(
            id: batch.id, from: from, to: final, owner: owner, completed: written.succeeded,
            failed: written.unsuccessful, outputFileID: written.outputFileID, errorFileID: written.errorFileID)
    }
}
