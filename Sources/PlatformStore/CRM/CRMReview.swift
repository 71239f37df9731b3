public import VelocityTypes

/// What a reviewer decides about one proposal (an `ApprovalDecision`).
public struct CRMReviewDecision: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Write the proposal as a new record.
        case approve
        /// Write nothing.
        case reject
        /// Replace the canonical payload, and approve it.
        case edit
        /// Fold the proposal into an existing record (`mergeTarget`): empty fields are filled,
        /// phones and emails added.
        case merge
    }

    public var id: String
    public var proposalID: String
    public var kind: Kind
    /// The edited canonical payload (`edit`).
    public var payload: JSONValue?
    /// The existing record (`merge`): a `crm_people` id for a person, `crm_accounts` for an account.
    public var mergeTarget: String?
    public var notes: String?

    public init(
        id: String, proposalID: String, kind: Kind, payload: JSONValue? = nil, mergeTarget: String? = nil,
        notes: String? = nil
    ) {
        self.id = id
        self.proposalID = proposalID
        self.kind = kind
        self.payload = payload
        self.mergeTarget = mergeTarget
        self.notes = notes
    }
}

/// A decision for every proposal a filter selects: "approve every proposal with confidence
/// ≥ 0.9 and no merge candidate", "merge every person whose best candidate is ≥ 0.95".
public struct CRMBulkDecision: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case approve, reject
        /// Into each proposal's best candidate (proposals without one are not selected).
        case merge
    }

    public var kind: Kind
    /// Without `statuses`, only pending proposals: a bulk rule never overrides a person's decision.
    public var filter: CRMProposalFilter
    public var notes: String?
    /// The rule as the reviewer wrote it, recorded on each decision.
    public var rule: JSONValue

    public init(kind: Kind, filter: CRMProposalFilter, notes: String? = nil, rule: JSONValue) {
        self.kind = kind
        self.filter = filter
        self.notes = notes
        self.rule = rule
    }
}
