public import BlobStore
public import Broker
import CRMImport
import Foundation
public import JobContracts
public import Logging
public import PlatformStore
import VelocityTypes

/// Runs `crm.import` steps: ingest (the upload into `ImportRowRecord`s), propose (rows into
/// `NormalizedEntityProposal`s with merge candidates) and commit (approved proposals into the
/// canonical tables). Each step resumes from the checkpoint its last attempt left in the batch
/// row, so a crash repeats no stored work; a step asked for a batch already past it is a no-op.
public struct CRMImportProcessor: JobProcessor {
    public typealias Contract = CRMImportJob

    let store: CRMImportStore
    let blobs: any BlobStore
    let logger: Logger
    /// Rows stored per transaction (and per checkpoint).
    var ingestChunkRows = 5_000
    /// Proposals stored and matched per transaction, at least (a chunk ends between reads of
    /// the upload). Matching a chunk reads the tenant's people once, so larger chunks read
    /// them less often; a chunk is held as its encoded rows, about 600 bytes a proposal.
    var proposeChunkProposals = 30_000
    /// Chunks of proposals being stored at once, each on its own connection (see
    /// `CRMImportStore.appendProposals`).
    var proposeStoresInFlight = 2
    /// Proposals committed per transaction.
    var commitChunk = 2_000
    /// Bytes read from the blob store at a time: the file is never held whole.
    var readBytes = 1 << 20

    public init(store: CRMImportStore, blobs: any BlobStore, logger: Logger) {
        self.store = store
        self.blobs = blobs
        self.logger = logger
    }

    public func process(
        _ payload: CRMImportJob.Payload, job: ClaimedJob, context: JobContext
    ) async throws -> CRMImportJob.Result {
        guard var batch = try await store.batch(id: payload.batch_id), batch.tenant == job.tenant else {
            throw JobError(code: "batch_not_found", message: "no import batch \(payload.batch_id)", retriable: false)
        }
        let progress: Progress = { message, fraction, checkpoint in
            try await context.progress(fraction, message: message, checkpoint: checkpoint)
        }
        do {
            batch = try await run(payload.step, batch, progress: progress)
        } catch {
            try await failBatchIfFinal(batch, error: error, job: job)
            throw error
        }
        return CRMImportJob.Result(
            batch_id: batch.id, step: payload.step, status: batch.status.rawValue, rows_read: batch.rowsRead,
            rows_with_errors: batch.rowsWithErrors, proposals: batch.proposals, committed: batch.committed)
    }

    /// Where a step reports: a message, the fraction done (nil when unknown) and a checkpoint
    /// for the job; throwing stops the step (the job was canceled or taken away).
    typealias Progress = @Sendable (_ message: String, _ fraction: Double?, _ checkpoint: String) async throws -> Void

    /// Runs `step` and whatever follows it in the same job (ingest goes on to propose).
    func run(_ step: CRMImportJob.Step, _ batch: CRMImportBatch, progress: @escaping Progress) async throws -> CRMImportBatch {
        var batch = batch
        switch step {
        case .ingest:
            var gathered: GatheredClusters?
            if batch.status == .ingesting { (batch, gathered) = try await ingest(batch, progress: progress) }
            if batch.status == .proposing { batch = try await propose(batch, gathered: gathered, progress: progress) }
        case .propose:
            if batch.status == .proposing { batch = try await propose(batch, progress: progress) }
        case .commit:
            if batch.status == .committing { batch = try await commit(batch, progress: progress) }
        }
        return batch
    }

    /// A step that will not be tried again leaves the batch `failed` with the reason, rather
    /// than forever `ingesting`.
    func failBatchIfFinal(_ batch: CRMImportBatch, error: any Error, job: ClaimedJob) async throws {
        let retriable = (error as? JobError)?.retriable ?? true
        guard !retriable || job.attempt >= job.maxAttempts, !(error is CancellationError) else { return }
        let code = (error as? any VelocityError)?.code.rawValue ?? "crm_import_failed"
        let message = (error as? any VelocityError)?.message ?? "\(error)"
        logger.error("crm import \(batch.id) failed: \(error)")
        try await store.setStatus(
            batch.id, to: .failed, error: .object(["code": .string(code), "message": .string(message)]))
    }

    /// The rows of a batch grouped into people from the identity keys an ingest gathered while
    /// it read the whole upload with a resolved manifest: the propose step that follows needs
    /// no first pass. Only the grouping is kept, not the keys (tens of megabytes a million rows).
    struct GatheredClusters {
        /// The manifest the keys were normalized with; another one makes the grouping void.
        let manifestID: String
        let clusters: RowClusters
    }

    /// The batch's normalizer: its manifest, its default region, and day-first dates except
    /// in Salesforce exports.
    static func normalizer(_ record: CRMImportManifestRecord, batch: CRMImportBatch) throws -> RowNormalizer {
        let manifest = try record.mappingManifest()
        return RowNormalizer(
            manifest: manifest, defaultRegion: PhoneRegion(rawValue: batch.defaultRegion) ?? .india,
            dayFirst: manifest.sourceProfile != .salesforce)
    }

    /// Reports rows done of a step, with its checkpoint.
    func report(_ progress: Progress, step: String, done: Int, of total: Int, checkpoint: String) async throws {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : nil
        try await progress("\(step): \(done) of \(total) rows", fraction, "\(step):\(checkpoint)")
    }
}
