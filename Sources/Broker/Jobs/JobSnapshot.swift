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
    /// Jobs the fair scheduler starts before this one (0: next) while it is queued; nil otherwise.
    public var queuePosition: Int? = nil
    /// What a queued job waits for when it is not its turn that holds it: a cap, a rate limit,
    /// a paused queue, no worker serving the queue. Nil otherwise.
    public var waitingReason: String? = nil
    /// When a queued job should be done; nil while it waits on something in `waitingReason`, or
    /// before any job of the queue has finished.
    public var eta: JobETA? = nil
    /// The backends the job's attempts took down (`JobFailure.faultDomain`), first first.
    public var faultDomains: [String] = []
    /// The attempts that ended without success, first first (the last 20): where each ran.
    public var failedAttempts: [FailedAttempt] = []

    /// An attempt that failed, was retried or was canceled: its number, its worker, its error.
    public struct FailedAttempt: Sendable, Equatable {
        public var attempt: Int
        public var worker: String
        public var errorCode: String

        public init(attempt: Int, worker: String, errorCode: String) {
            self.attempt = attempt
            self.worker = worker
            self.errorCode = errorCode
        }
    }
}
