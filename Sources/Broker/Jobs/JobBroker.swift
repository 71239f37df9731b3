/// The queue side of the product: where jobs wait, are leased, and end.
///
/// A driver seam: `RedisBroker` is the production implementation, and every implementation
/// passes the same conformance suite (`BrokerConformanceTests`).
public protocol JobBroker: Sendable {
    /// Adds jobs; a job whose idempotency key (per tenant) or id is known comes back with the
    /// existing id and `created == false`.
    func enqueue(_ jobs: [JobSubmission]) async throws -> [EnqueueOutcome]

    /// A consumer of one queue, with a connection of its own for blocking claims.
    func makeConsumer(queue: String, workerID: String) async throws -> any JobConsumer

    /// Extends the lease, records progress and a checkpoint; the reply carries the cancel flag.
    func heartbeat(_ lease: JobLease, progress: JobProgress?) async throws -> HeartbeatReply

    /// Ends the attempt successfully with an optional result (JSON text).
    func complete(_ lease: JobLease, result: String?) async throws

    /// Completes many attempts in one round trip; per completion, nil or why it was refused.
    func complete(_ completions: [JobCompletion]) async throws -> [BrokerError?]

    /// Ends the attempt without success; returns the job's new state.
    func fail(_ lease: JobLease, _ failure: JobFailure) async throws -> JobState

    /// Cancels a waiting job at once, or asks a running one to stop; idempotent.
    func cancel(queue: String, jobID: String) async throws -> CancelOutcome

    /// The job with its result, nil when the broker does not have it (never had it, or let it
    /// go after the result TTL).
    func job(queue: String, id: String) async throws -> JobSnapshot?

    /// The job from whichever of `queues` holds it, in one round trip: a job id does not name
    /// its queue.
    func job(id: String, queues: [String]) async throws -> JobSnapshot?

    /// Snapshots of many jobs of one queue in the order of `ids`, nil for one the broker does
    /// not have: one round trip for many.
    func jobs(queue: String, ids: [String]) async throws -> [JobSnapshot?]

    /// The state of each job, nil for one the broker does not have: one round trip for many.
    func states(queue: String, ids: [String]) async throws -> [JobState?]

    /// Follows the state changes of one queue's jobs from now on, with a connection of its own
    /// for blocking reads.
    func makeEventReader(queue: String) async throws -> any JobEventReader

    /// Follows only the cancel requests of the queue's running jobs (`cancel_requested`
    /// events), from now on: what a worker needs to stop a handler at once.
    func makeCancelReader(queue: String) async throws -> any JobEventReader

    func depth(queue: String) async throws -> QueueDepth

    /// Run times (ms, claim to end) of the queue's most recently finished jobs, newest first:
    /// what the queue's ETAs are made of.
    func recentRunMilliseconds(queue: String) async throws -> [Int]

    func setPaused(queue: String, _ paused: Bool) async throws

    /// Dead jobs, oldest first.
    func deadJobs(queue: String, limit: Int) async throws -> [String]

    func replay(queue: String, jobID: String) async throws

    /// Recovers jobs whose lease ran out; returns how many.
    func recoverExpiredLeases(queue: String) async throws -> Int

    /// Replaces the queue's fair-share weights, caps and rate limits; returns how many jobs
    /// parked under the old ones went back to wait their turn.
    @discardableResult
    func setLimits(queue: String, _ limits: QueueLimits) async throws -> Int

    func limits(queue: String) async throws -> QueueLimits

    /// Each tenant's queued work, running counts against caps, parked jobs, throttled claims.
    func fairShare(queue: String) async throws -> QueueFairShare

    /// The children of each parent batch in `queue` by state, as the scripts count them (a
    /// batch the broker has no child of reads all zero), in one round trip.
    func batchCounts(queue: String, parents: [String]) async throws -> [String: BatchStateCounts]

    /// Gives the jobs `ids` of `queue` that have not ended the priority `priority` (a batch
    /// promoted as its window nears): a waiting one runs in its new band from now on, keeping
    /// its age; returns how many changed. Unknown and ended ids are skipped.
    func reprioritize(queue: String, ids: [String], priority: Int) async throws -> Int

    /// Records that the parent batch `parent` of `queue` must be done by `dueMilliseconds` (ms
    /// since 1970), replacing an earlier window; kept as long as its counts are.
    func setBatchWindow(queue: String, parent: String, dueMilliseconds: Int) async throws

    /// The batches of `queue` with a window and children still queued or running, earliest due
    /// first, at most `limit` of them.
    func openBatches(queue: String, limit: Int) async throws -> [OpenBatch]
}

public struct JobCompletion: Sendable {
    public var lease: JobLease
    /// JSON text, at most the broker's result size limit.
    public var result: String?

    public init(lease: JobLease, result: String? = nil) {
        self.lease = lease
        self.result = result
    }
}

public struct EnqueueOutcome: Sendable, Equatable {
    public var id: String
    public var created: Bool

    public init(id: String, created: Bool) {
        self.id = id
        self.created = created
    }
}

public struct JobProgress: Sendable, Equatable {
    public var fraction: Double?
    public var message: String
    /// Saved with the job; the next attempt gets it back in `ClaimedJob.checkpoint`.
    public var checkpoint: String?

    public init(fraction: Double? = nil, message: String = "", checkpoint: String? = nil) {
        self.fraction = fraction
        self.message = message
        self.checkpoint = checkpoint
    }
}

public struct HeartbeatReply: Sendable, Equatable {
    public var leaseDeadlineMilliseconds: Int
    /// Someone canceled the job: stop, then `fail` with disposition `.canceled`.
    public var cancelRequested: Bool
}

public enum CancelOutcome: Sendable, Equatable {
    /// It was waiting and is now canceled.
    case canceled
    /// It is running; its worker learns at once when it follows the queue's events (renders),
    /// else at its next heartbeat.
    case requested
    /// It had already ended in this state.
    case alreadyFinished(JobState)
}

/// Claims jobs from one queue.
public protocol JobConsumer: Sendable {
    var queue: String { get }
    /// Up to `maxJobs` jobs, waiting up to `wait` for the first (blocking, not polling); a
    /// one-job claim with a `prefer`ence takes a job the worker holds the affinity of ahead of
    /// older ones, within the preference's limits.
    func claim(maxJobs: Int, wait: Duration, prefer: ClaimPreference?) async throws -> [ClaimedJob]
    func close() async
}

extension JobConsumer {
    /// Up to `maxJobs` jobs in the queue's order, waiting up to `wait` for the first.
    public func claim(maxJobs: Int, wait: Duration) async throws -> [ClaimedJob] {
        try await claim(maxJobs: maxJobs, wait: wait, prefer: nil)
    }
}
