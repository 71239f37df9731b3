public import VelocityTypes
import Foundation

/// `crm.import`: one step of a CRM import batch, run on the `cpu` queue.
///
/// The batch itself (the immutable upload, its mapping manifest, rows, proposals and
/// decisions) lives in the platform's `crm_import_*` tables; a job names the batch and the
/// step. Each step keeps its checkpoint in the batch row, in the same transaction as the
/// work it covers, so a step that crashed resumes where it stopped and repeats nothing.
public enum CRMImportJob: JobContract {
    public static let kind = JobKind(name: "crm.import", queue: "cpu")

    /// The steps of an import, in order.
    public enum Step: String, Codable, Sendable, CaseIterable {
        /// Parse the upload into `ImportRowRecord`s; then, if the mapping is resolved, propose.
        case ingest
        /// Normalize the rows with the batch's mapping, group duplicates, match existing people
        /// and write `NormalizedEntityProposal`s.
        case propose
        /// Apply the approved proposals to the canonical tables, as `ClientGraphDelta`s.
        case commit
    }

    public struct Payload: Codable, Sendable, Equatable {
        public var batch_id: String
        public var step: Step

        public init(batch_id: String, step: Step) {
            self.batch_id = batch_id
            self.step = step
        }
    }

    public struct Result: Codable, Sendable, Equatable {
        public var batch_id: String
        public var step: Step
        /// The batch's status after the step (`awaiting_mapping`, `in_review`, `committed`…).
        public var status: String
        public var rows_read: Int
        public var rows_with_errors: Int
        public var proposals: Int
        public var committed: Int

        public init(
            batch_id: String, step: Step, status: String, rows_read: Int, rows_with_errors: Int, proposals: Int,
            committed: Int
        ) {
            self.batch_id = batch_id
            self.step = step
            self.status = status
            self.rows_read = rows_read
            self.rows_with_errors = rows_with_errors
            self.proposals = proposals
            self.committed = committed
        }
    }

    public static func validate(_ payload: Payload) throws(PayloadError) {
        guard UUID(uuidString: payload.batch_id) != nil else {
            throw PayloadError(kind: kind.name, field: "batch_id", "must be the id of an import batch")
        }
    }
}
