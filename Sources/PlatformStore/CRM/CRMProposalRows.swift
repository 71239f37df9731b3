import PostgresClient
import VelocityTypes

/// A chunk of proposals of one batch, encoded for `COPY` as they are assembled, with the seq
/// each gets: what `CRMImportStore.appendProposals` stores. Only the compact rows are held,
/// not the drafts' JSON values, so a large chunk costs a few hundred bytes a proposal.
public struct CRMProposalRows: Sendable {
    public let batchID: String
    public let tenant: String
    /// The seq of the first proposal (the batch's proposal count before the chunk).
    public let firstSeq: Int
    /// Proposals encoded so far.
    public private(set) var count = 0
    private(set) var encoder = PostgresCopyEncoder()

    /// The columns each row gives, in order.
    static let columns = """
        id, batch_id, tenant_id, seq, entity_type, person_ref, account_ref, proposed_payload, canonical_payload,
        source_rows, confidence, issues, conflicts, match_keys, review_required, status
        """

    public init(batchID: String, tenant: String, firstSeq: Int) {
        self.batchID = batchID
        self.tenant = tenant
        self.firstSeq = firstSeq
    }

    /// The seq the next proposal gets.
    public var nextSeq: Int { firstSeq + count }

    /// Encodes `draft` as the chunk's next proposal: pending, review required, its canonical
    /// payload the proposed one until a reviewer edits it.
    public mutating func append(_ draft: CRMProposalDraft) {
        encoder.append([
            draft.id, batchID, tenant, String(nextSeq), draft.entityType.rawValue, draft.personRef, draft.accountRef,
            draft.payload.jsonText, nil, "{" + draft.sourceRows.map(String.init).joined(separator: ",") + "}",
            String(draft.confidence), Self.jsonArrayText(draft.issues), Self.jsonArrayText(draft.conflicts),
            draft.matchKeys?.jsonText, "true", "pending",
        ])
        count += 1
    }

    /// Encodes each of `drafts`, in order.
    public mutating func append(contentsOf drafts: [CRMProposalDraft]) {
        for draft in drafts { append(draft) }
    }

    /// Gives back the spare capacity of the encoded rows, once the chunk is complete.
    public mutating func trimCapacity() { encoder.trimCapacity() }

    /// `[]` without building it, for the many proposals with no issue or conflict.
    static func jsonArrayText(_ items: [JSONValue]) -> String {
        items.isEmpty ? "[]" : JSONValue.array(items).jsonText
    }
}
