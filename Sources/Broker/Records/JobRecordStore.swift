/// The durable system of record for jobs: written before a submit is acknowledged and at every
/// terminal state, so that losing Redis loses no accepted job.
///
/// A driver seam: `PostgresJobRecordStore` is the production implementation.
public protocol JobRecordStore: Sendable {
    /// Durably records accepted jobs. A job whose idempotency key (per tenant) or id is known
    /// comes back with the existing id and `created == false`.
    func recordAccepted(_ jobs: [JobSubmission]) async throws -> [EnqueueOutcome]

    /// Applies state changes; a later change of the same job wins.
    func apply(_ records: [JobStateRecord]) async throws

    /// Records progress milestones (each job's at most once per milestone).
    func applyMilestones(_ milestones: [JobMilestone]) async throws

    /// Jobs not in a terminal state, accepted at least `minimumAgeMilliseconds` ago, in id
    /// order after `afterID`: the candidates for reconciliation.
    func openJobs(afterID: String?, minimumAgeMilliseconds: Int, limit: Int) async throws -> [RecordedJob]

    /// The job with its result, nil for an id the record does not hold.
    func job(id: String) async throws -> RecordedJob?

    /// A page of a tenant's jobs, newest first, in one query: ids below `before` and at or
    /// above `since` (ids are UUIDv7, so that is a creation-time window: `JobID.floor(of:)`), of
    /// `kind`, in one of `states` (nil for no bound, or any kind or state).
    ///
    /// The record learns open states only roughly (it holds `queued` until the job ends), so a
    /// filter on an open state asks for every open one and narrows by the broker's live state.
    func jobs(tenant: String, kind: String?, states: Set<JobState>?, since: String?, before: String?, limit: Int)
        async throws -> [RecordedJob]

    /// How the children of each batch (`JobSubmission.parentBatch`) stand, in one read; a
    /// batch without children counts zeros.
    func childCounts(parentBatches: [String]) async throws -> [String: BatchChildCounts]

    /// The children of a batch that have not ended, to cancel.
    func openChildren(parentBatch: String) async throws -> [JobReference]

    /// A page of a batch's ended children in id order, ids above `afterID`.
    func endedChildren(parentBatch: String, afterID: String?, limit: Int) async throws -> [RecordedJob]

    /// The settings operators gave queues (limits, pause), by queue: what a broker that lost its
    /// data gets back from `QueueControl.restore`.
    func queueSettings() async throws -> [String: QueueSettings]

    /// Records a queue's limits; its pause flag stays as recorded.
    func recordLimits(queue: String, _ limits: QueueLimits) async throws

    /// Records whether a queue is paused; its limits stay as recorded.
    func recordPaused(queue: String, _ paused: Bool) async throws
}

/// A job as the system of record holds it.
public struct RecordedJob: Sendable, Equatable {
    public var submission: JobSubmission
    public var state: JobState
    public var attempts: Int
    public var result: String?
    public var errorCode: String?
    public var errorMessage: String?
}

extension JobRecordStore {
    /// A store without webhooks has nothing to do with milestones.
    public func applyMilestones(_ milestones: [JobMilestone]) async throws {}

    /// How the children of one batch stand.
    public func childCounts(parentBatch: String) async throws -> BatchChildCounts {
        try await childCounts(parentBatches: [parentBatch])[parentBatch]
            ?? BatchChildCounts(succeeded: 0, unsuccessful: 0, all: 0)
    }
}

extension JobRecordStore {
    /// A page of a tenant's jobs with no lower bound on their creation.
    public func jobs(tenant: String, kind: String?, states: Set<JobState>?, before: String?, limit: Int) async throws
        -> [RecordedJob]
    {
        try await jobs(tenant: tenant, kind: kind, states: states, since: nil, before: before, limit: limit)
    }
}
