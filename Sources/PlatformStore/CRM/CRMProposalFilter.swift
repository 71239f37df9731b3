import PostgresClient

/// Which proposals of a batch a list or a bulk decision covers; nil fields do not filter.
public struct CRMProposalFilter: Sendable, Equatable {
    public var statuses: [CRMProposal.Status]?
    public var entityTypes: [CRMProposal.EntityType]?
    public var minConfidence: Double?
    public var maxConfidence: Double?
    /// Rows of the batch disagreed on a field.
    public var conflict: Bool?
    /// Some existing record may be the same entity.
    public var hasMergeCandidate: Bool?
    /// The best candidate's confidence is at least this (implies a candidate).
    public var minCandidateConfidence: Double?
    public var maxCandidateConfidence: Double?
    public var reviewRequired: Bool?

    public init(
        statuses: [CRMProposal.Status]? = nil, entityTypes: [CRMProposal.EntityType]? = nil,
        minConfidence: Double? = nil, maxConfidence: Double? = nil, conflict: Bool? = nil,
        hasMergeCandidate: Bool? = nil, minCandidateConfidence: Double? = nil, maxCandidateConfidence: Double? = nil,
        reviewRequired: Bool? = nil
    ) {
        self.statuses = statuses
        self.entityTypes = entityTypes
        self.minConfidence = minConfidence
        self.maxConfidence = maxConfidence
        self.conflict = conflict
        self.hasMergeCandidate = hasMergeCandidate
        self.minCandidateConfidence = minCandidateConfidence
        self.maxCandidateConfidence = maxCandidateConfidence
        self.reviewRequired = reviewRequired
    }

    /// The SQL condition over `crm_import_proposals p`, its values numbered from `firstParameter`.
    func condition(firstParameter: Int) -> (sql: String, parameters: [String?]) {
        var clauses: [String] = []
        var parameters: [String?] = []
        func parameter(_ value: String, cast: String) -> String {
            parameters.append(value)
            return "$\(firstParameter + parameters.count - 1)::\(cast)"
        }
        if let statuses {
            clauses.append("p.status = ANY(\(parameter(PostgresArrayLiteral.text(statuses.map(\.rawValue)), cast: "text[]")))")
        }
        if let entityTypes {
            clauses.append(
                "p.entity_type = ANY(\(parameter(PostgresArrayLiteral.text(entityTypes.map(\.rawValue)), cast: "text[]")))")
        }
        if let minConfidence { clauses.append("p.confidence >= \(parameter(String(minConfidence), cast: "float8"))") }
        if let maxConfidence { clauses.append("p.confidence <= \(parameter(String(maxConfidence), cast: "float8"))") }
        if let conflict { clauses.append(conflict ? "p.conflicts <> '[]'" : "p.conflicts = '[]'") }
        if let hasMergeCandidate {
            clauses.append(hasMergeCandidate ? "p.merge_candidates <> '[]'" : "p.merge_candidates = '[]'")
        }
        if let minCandidateConfidence {
            clauses.append("p.best_candidate >= \(parameter(String(minCandidateConfidence), cast: "float8"))")
        }
        if let maxCandidateConfidence {
            clauses.append("p.best_candidate <= \(parameter(String(maxCandidateConfidence), cast: "float8"))")
        }
        if let reviewRequired { clauses.append(reviewRequired ? "p.review_required" : "NOT p.review_required") }
        return (clauses.isEmpty ? "true" : clauses.joined(separator: " AND "), parameters)
    }
}
