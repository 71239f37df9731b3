/// Everything the broker knows about one job, read in one go.
public struct JobSnapshot: Sendable, Equatable {
    public var id: String
    public var queue: String
    public var kind: String
    public var tenant: String
    public var actor: String
    public var payload: String
    public var state: JobState
    public var priority: Int
    public var attempts: Int
    public var maxAttempts: Int
    public var attemptID: String?
    public var worker: String?
    public var idempotencyKey: String?
    public var parentBatch: String?
    public var progress: Double?
    public var progressMessage: String?
    public var checkpoint: String?
    public var cancelRequested: Bool
    public var result: String?
    public var errorCode: String?
    public var errorMessage: String?
    public var errorRetriable: Bool?
    public var createdMilliseconds: Int?
    public var scheduledMilliseconds: Int?
    public var startedMilliseconds: Int?
    public var claimedMilliseconds: Int?
    public var finishedMilliseconds: Int?
    public var leaseDeadlineMilliseconds: Int?
    /// Jobs that will be claimed before this one (0: next) while it is queued; nil otherwise.
    public var queuePosition: Int? = nil
}

extension JobSnapshot {
    init?(queue: String, fields: [String: String]) {
        guard let id = fields["id"], let state = fields["state"].flatMap(JobState.init(rawValue:)) else { return nil }
        func int(_ name: String) -> Int? { fields[name].flatMap { Int($0) } }
        func text(_ name: String) -> String? { fields[name].flatMap { $0.isEmpty ? nil : $0 } }
        self.init(
            id: id, queue: queue, kind: fields["kind"] ?? "", tenant: fields["tenant"] ?? "",
            actor: fields["actor"] ?? "", payload: fields["payload"] ?? "", state: state,
            priority: int("priority") ?? 0, attempts: int("attempts") ?? 0, maxAttempts: int("max_attempts") ?? 1,
            attemptID: text("attempt_id"), worker: text("worker"), idempotencyKey: text("idempotency_key"),
            parentBatch: text("parent"), progress: fields["progress"].flatMap { Double($0) },
            progressMessage: text("progress_message"), checkpoint: fields["checkpoint"],
            cancelRequested: fields["cancel_requested"] == "1", result: fields["result"],
            errorCode: text("error_code"), errorMessage: text("error_message"),
            errorRetriable: fields["error_retriable"].map { $0 == "1" }, createdMilliseconds: int("created_ms"),
            scheduledMilliseconds: int("scheduled_ms"), startedMilliseconds: int("started_ms"),
            claimedMilliseconds: int("claimed_ms"), finishedMilliseconds: int("finished_ms"),
            leaseDeadlineMilliseconds: int("lease_deadline_ms"))
    }
}
