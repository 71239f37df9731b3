/// Tuning of the Redis broker; the defaults suit production.
public struct RedisBrokerConfiguration: Sendable {
    /// Prefix of every key, so several deployments (or tests) can share one Redis.
    public var namespace: String = "vj"
    /// Events kept per queue (approximately: `XADD MAXLEN ~`); 0 turns events off.
    public var eventsMaxLength = 10_000
    /// How much a priority level is worth in waiting time.
    public var agingMillisecondsPerPriority = 1_000
    /// How long a finished job and its result stay in Redis.
    public var resultTTLSeconds = 86_400
    public var maxResultBytes = 64 * 1024
    /// Finished jobs indexed per queue; older ones drop out of the index (their hashes expire).
    public var finishedRetention = 100_000
    /// Dead jobs kept per queue; past this the oldest are deleted.
    public var deadRetention = 100_000
    /// Wake-up markers kept for blocked consumers: more than the number of consumers of a queue.
    public var signalCap = 256
    public var idempotencyTTLSeconds = 86_400
    /// Write state records for the system of record (`JobRecordSync` drains them); off when no
    /// Postgres record is kept, so the outbox cannot grow unread.
    public var recordOutbox = false
    public var submissionLimits = JobSubmission.Limits()
    /// Jobs per enqueue script: a bulk submit is this many per round trip, and between two of
    /// them Redis serves everyone else (a claim for an interactive job waits at most one).
    public var enqueueChunkSize = 200
    /// Jobs recovered per `recover` call.
    public var recoveryBatch = 500
    /// Longest single block on a claim before re-checking delayed jobs.
    public var maxBlockMilliseconds = 1_000

    public init(namespace: String = "vj", recordOutbox: Bool = false) {
        self.namespace = namespace
        self.recordOutbox = recordOutbox
    }

    /// The ARGV header every broker script starts with.
    var scriptHeader: [String] {
        [
            String(eventsMaxLength), String(agingMillisecondsPerPriority), String(resultTTLSeconds),
            String(finishedRetention), String(deadRetention), String(signalCap), String(idempotencyTTLSeconds),
            recordOutbox ? "1" : "0",
        ]
    }
}
