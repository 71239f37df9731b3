import JobContracts
import PlatformStore
import VelocityTypes

/// A `NormalizedEntityProposal` as the review screen shows it, with its artifact metadata.
struct CRMProposalView: Encodable {
    var object = "crm.proposal"
    var id: String
    var artifact: ArtifactMetadata
    var batch_id: String
    var seq: Int
    var entity_type: String
    var status: String
    var review_required: Bool
    var confidence: Double
    var canonical_payload: JSONValue
    /// Present when a reviewer edited the payload: what normalization proposed.
    var proposed_payload: JSONValue?
    var merge_candidate_refs: JSONValue
    var merge_target: String?
    var conflicts: JSONValue
    var issues: JSONValue
    var source_rows: [Int]
    var person_ref: String?
    var account_ref: String?
    var decision_id: String?
    var committed_entity_id: String?

    init(_ proposal: CRMProposal, manifestID: String?) {
        id = proposal.id
        artifact = ArtifactMetadata(
            artifact_id: proposal.id, artifact_type: "NormalizedEntityProposal", schema_version: "1",
            source_system: "velocity.crm.import", created_at: CRMImportBatchView.timestamp(proposal.createdMilliseconds),
            created_by: "velocity.crm.import", confidence: proposal.confidence,
            provenance: [
                "batch_id": .string(proposal.batchID),
                "source_rows": .array(proposal.sourceRows.map { .int(Int64($0)) }),
                "manifest_id": manifestID.map(JSONValue.string) ?? .null,
            ])
        batch_id = proposal.batchID
        seq = proposal.seq
        entity_type = proposal.entityType.rawValue
        status = proposal.status.rawValue
        review_required = proposal.reviewRequired
        confidence = proposal.confidence
        canonical_payload = proposal.canonicalPayload
        proposed_payload = proposal.proposedPayload == proposal.canonicalPayload ? nil : proposal.proposedPayload
        merge_candidate_refs = proposal.mergeCandidates
        merge_target = proposal.mergeTarget
        conflicts = proposal.conflicts
        issues = proposal.issues
        source_rows = proposal.sourceRows
        person_ref = proposal.personRef
        account_ref = proposal.accountRef
        decision_id = proposal.decisionID
        committed_entity_id = proposal.committedEntityID
    }
}

extension CRMProposalView {
    /// Puts each merge candidate's existing record (`record`) beside it, read for the whole
    /// page at once, so the review screen shows the proposal and the record it would merge into.
    static func attachExistingRecords(to views: inout [CRMProposalView], tenant: String, store: CRMImportStore) async throws {
        var people: Set<String> = []
        var accounts: Set<String> = []
        for view in views {
            for candidate in view.merge_candidate_refs.arrayValue ?? [] {
                guard let id = candidate["id"]?.stringValue else { continue }
                if candidate["entity"]?.stringValue == "crm_accounts" { accounts.insert(id) } else { people.insert(id) }
            }
        }
        guard !people.isEmpty || !accounts.isEmpty else { return }
        let records = try await store.existingRecords(tenant: tenant, people: people.sorted(), accounts: accounts.sorted())
        for index in views.indices {
            guard let candidates = views[index].merge_candidate_refs.arrayValue else { continue }
            views[index].merge_candidate_refs = .array(
                candidates.map { candidate in
                    guard var object = candidate.objectValue, let id = object["id"]?.stringValue, let record = records[id]
                    else { return candidate }
                    object["record"] = record
                    return .object(object)
                })
        }
    }
}

/// A page of a batch's proposals; `next_cursor` is the last one's `seq`.
struct CRMProposalPage: Encodable {
    var object = "list"
    var data: [CRMProposalView]
    var next_cursor: String?
    var has_more: Bool
}
