/// A job's webhook: the URL its terminal states are delivered to, and which of them.
public struct JobWebhook: Sendable, Equatable {
    public var url: String
    /// `job.succeeded`, `job.failed`, `job.canceled`, `job.dead`; nil for all four.
    public var events: [String]?

    public init(url: String, events: [String]? = nil) {
        self.url = url
        self.events = events
    }

    /// The events a job's webhook may ask for; nil events means the four ends.
    public static let allEvents = ["job.succeeded", "job.failed", "job.canceled", "job.dead"]
    /// A running job reaching 25, 50 and 75 % (its handler's progress): sent only when asked for.
    public static let progressEvent = "job.progress"

    /// Whether it asks for progress milestones.
    public var wantsProgress: Bool { events?.contains(Self.progressEvent) == true }
    /// The events an OpenAI batch's webhook may ask for: its terminal statuses.
    public static let batchEvents = ["batch.completed", "batch.failed", "batch.expired", "batch.cancelled"]
    /// The events a CRM import's webhook may ask for: where it waits for a person, and its end.
    public static let crmImportEvents = [
        "crm_import.awaiting_mapping", "crm_import.in_review", "crm_import.committed", "crm_import.failed",
    ]
}
