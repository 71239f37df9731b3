/// Who is calling: the tenant whose jobs they see, and what they may do.
public struct Principal: Sendable, Equatable {
    /// Roles are ordered: each may do everything the ones before it may.
    public enum Role: String, Sendable, Comparable, CaseIterable, Codable {
        case submitter, `operator`, admin

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
