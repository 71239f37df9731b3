/// Who is calling: the tenant whose jobs they see, and what they may do.
public struct Principal: Sendable, Equatable {
    /// Roles are ordered: each may do everything the ones before it may.
    public enum Role: String, Sendable, Comparable, CaseIterable, Codable {
        /// Submits jobs and uploads, reads its tenant's.
        case submitter
        /// Also decides on CRM import proposals and commits them to the client graph.
        case reviewer
        /// Also runs the GPU box (mode switches) and the queues.
        case `operator`
        case admin

        /// The role of a JWT's `role` claim: ours, or the platform's own roles, where a junior
        /// broker may not approve changes to the client graph and a senior broker may.
        public init?(claim: String) {
            if let role = Role(rawValue: claim) {
                self = role
                return
            }
            switch claim {
            case "JUNIOR_BROKER": self = .submitter
            case "SENIOR_BROKER", "SALES_DIRECTOR": self = .reviewer
            case "ADMIN": self = .admin
            default: return nil
            }
        }

        var rank: Int { Self.allCases.firstIndex(of: self)! }
        public static func < (a: Role, b: Role) -> Bool { a.rank < b.rank }
    }

    public var tenant: String
    /// The key id or the JWT subject; recorded as the job's actor.
    public var subject: String
    public var role: Role

    public init(tenant: String, subject: String, role: Role) {
        self.tenant = tenant
        self.subject = subject
        self.role = role
    }

    /// Whether this caller may see a job of `tenant`: its own only, or any for an admin.
    public func canSee(tenant other: String) -> Bool {
        other == tenant || role == .admin
    }
}
