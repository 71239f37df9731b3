/// A job's webhook: the URL its terminal states are delivered to, and which of them.
public struct JobWebhook: Sendable, Equatable {
    public var url: String
    /// `job.succeeded`, `job.failed`, `job.canceled`, `job.dead`; nil for all four.
    public var events: [String]?

    public init(url: String, events: [String]? = nil) {
        self.url = url
        self.events = events
    }

    /// The events a job's webhook may ask for.
    public static let allEvents = ["job.succeeded", "job.failed", "job.canceled", "job.dead"]
    /// The events an OpenAI batch's webhook may ask for: its terminal statuses.
    public static let batchEvents = ["batch.completed", "batch.failed", "batch.expired", "batch.cancelled"]
    /// The events a CRM import's webhook may ask for: where it waits for a person, and its end.
    public static let crmImportEvents = [
        "crm_import.awaiting_mapping", "crm_import.in_review", "crm_import.committed", "crm_import.failed",
    ]
}
