/// The proof that a worker holds the current attempt of a job. Every change a worker makes
/// presents it; a lease whose attempt is no longer current is refused (`staleAttempt`).
public struct JobLease: Sendable, Hashable {
    public var queue: String
    public var jobID: String
    public var attemptID: String

    public init(queue: String, jobID: String, attemptID: String) {
        self.queue = queue
        self.jobID = jobID
        self.attemptID = attemptID
    }
}

/// A job handed to a worker by a claim.
public struct ClaimedJob: Sendable {
    public var lease: JobLease
    public var kind: String
    public var tenant: String
    public var payload: String
    /// 1 for the first attempt.
    public var attempt: Int
    public var maxAttempts: Int
    /// What an earlier attempt saved with `progress`, to resume from.
    public var checkpoint: String?
    public var leaseDeadlineMilliseconds: Int
    public var leaseMilliseconds: Int
    public var createdMilliseconds: Int
    public var priority: Int
    /// Redis time of the claim.
    public var claimedMilliseconds: Int
    /// The submitter's W3C `traceparent`, which the run continues; nil when none was stored.
    public var traceParent: String?

    public var id: String { lease.jobID }
}
