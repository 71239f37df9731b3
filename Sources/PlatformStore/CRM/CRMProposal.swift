public import VelocityTypes

/// A `NormalizedEntityProposal`: one person, account, lead or property interest the import
/// would write, with its merge candidates, awaiting a decision.
public struct CRMProposal: Sendable, Equatable {
    public enum EntityType: String, Sendable, Codable, CaseIterable {
        case person, account, lead
        case propertyInterest = "property_interest"
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case pending, approved, rejected, committed
        /// Approved, but what it hangs on (its person) was rejected: nothing to write.
        case skipped
    }

    public var id: String
    public var batchID: String
    /// Emission order within the batch; the review list's order and cursor.
    public var seq: Int
    public var entityType: EntityType
    /// The person proposal a lead, interest or account link belongs to.
    public var personRef: String?
    /// The account proposal a person works at.
    public var accountRef: String?
    /// As normalization made it.
    public var proposedPayload: JSONValue
    /// What a commit writes: the proposed payload, or a reviewer's edit of it.
    public var canonicalPayload: JSONValue
    public var sourceRows: [Int]
    public var confidence: Double
    public var issues: JSONValue
    /// Fields whose rows disagreed (`[{"field", "values"}]`).
    public var conflicts: JSONValue
    /// `[{"id", "confidence", "evidence": […]}]`, best first.
    public var mergeCandidates: JSONValue
    public var mergeTarget: String?
    public var reviewRequired: Bool
    public var status: Status
    public var decisionID: String?
    public var committedEntityID: String?
    public var createdMilliseconds: Int

    /// True when rows disagreed on a field or a candidate exists that is not chosen: what a
    /// reviewer filters on as "conflict".
    public var hasConflict: Bool {
        (conflicts.arrayValue?.isEmpty == false)
    }
}

/// A proposal as the propose step makes it, before it is stored and matched.
public struct CRMProposalDraft: Sendable, Equatable {
    public var id: String
    public var entityType: CRMProposal.EntityType
    public var personRef: String?
    public var accountRef: String?
    public var payload: JSONValue
    public var sourceRows: [Int]
    public var confidence: Double
    public var issues: [JSONValue]
    public var conflicts: [JSONValue]
    /// What matching compares (persons: `phones`, `emails`, `name_key`, `city`, `phone_suffix`;
    /// accounts: `name_key`); nil for kinds that are not matched.
    public var matchKeys: JSONValue?

    public init(
        id: String, entityType: CRMProposal.EntityType, personRef: String? = nil, accountRef: String? = nil,
        payload: JSONValue, sourceRows: [Int], confidence: Double, issues: [JSONValue] = [],
        conflicts: [JSONValue] = [], matchKeys: JSONValue? = nil
    ) {
        self.id = id
        self.entityType = entityType
        self.personRef = personRef
        self.accountRef = accountRef
        self.payload = payload
        self.sourceRows = sourceRows
        self.confidence = confidence
        self.issues = issues
        self.conflicts = conflicts
        self.matchKeys = matchKeys
    }
}
