/// One source row projected onto the canonical entities, with every problem found on the way.
/// The raw cells stay in the ImportRowRecord; this is the projection a proposal is built from.
///
/// JSON: `{"person": {…}, "account": {…}, "lead": {…}, "interest": {…}, "issues": [FieldIssue…]}`;
/// an entity the row has nothing for is omitted, `issues` is always written.
public struct NormalizedRow: Codable, Sendable, Equatable {
    /// Nil when the row has no name, no valid phone and no valid email (`no_identity`).
    public var person: NormalizedPerson?
    public var account: NormalizedAccount?
    public var lead: NormalizedLead?
    public var interest: NormalizedInterest?
    public var issues: [FieldIssue]

    public init(
        person: NormalizedPerson? = nil, account: NormalizedAccount? = nil, lead: NormalizedLead? = nil,
        interest: NormalizedInterest? = nil, issues: [FieldIssue] = []
    ) {
        self.person = person
        self.account = account
        self.lead = lead
        self.interest = interest
        self.issues = issues
    }
}
