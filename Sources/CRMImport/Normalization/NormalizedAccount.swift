/// The company a row names, for `crm_accounts`. JSON: `{"name": "…", "job_title": "…"}`.
public struct NormalizedAccount: Codable, Sendable, Equatable {
    public var name: String?
    /// The person's title at the company.
    public var jobTitle: String?

    public init(name: String? = nil, jobTitle: String? = nil) {
        self.name = name
        self.jobTitle = jobTitle
    }

    enum CodingKeys: String, CodingKey {
        case name
        case jobTitle = "job_title"
    }
}
