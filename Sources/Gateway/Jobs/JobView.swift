import Broker
import Foundation

/// A job as the HTTP API shows it: status, position, progress, timings and error.
public struct JobView: Codable, Sendable, Equatable {
    public struct Progress: Codable, Sendable, Equatable {
        public var fraction: Double?
        public var message: String?
    }

    public struct Metrics: Codable, Sendable, Equatable {
        /// From creation (or the due time of a delayed job) to the first claim.
        public var queue_ms: Int?
        /// From the last claim to the end, or to now while running.
        public var run_ms: Int?
    }

    public struct ErrorInfo: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        public var retriable: Bool?
    }

    public struct URLs: Codable, Sendable, Equatable {
        public var get: String
        public var cancel: String
        public var events: String
        public var result: String

        init(id: String) {
            get = "/v1/jobs/\(id)"
            cancel = "/v1/jobs/\(id)/cancel"
            events = "/v1/jobs/\(id)/events"
            result = "/v1/jobs/\(id)/result"
        }
    }

    public var id: String
    public var kind: String
    public var queue: String
    public var status: String
    public var tenant: String
    public var priority: Int
    public var attempts: Int
    public var max_attempts: Int
    /// The worker that holds (or last held) the job: where its latest attempt ran.
    public var worker: String?
    /// The backends earlier attempts took down (`comfyui@1`, `llm`), first first.
    public var fault_domains: [String]
    /// The attempts that ended without success, first first: where each ran and its error.
    public var attempt_history: [Attempt]

    public struct ETA: Codable, Sendable, Equatable {
        public var p50_ms: Int
        public var p90_ms: Int
        public var p50_at: String
        public var p90_at: String
    }

    public struct Attempt: Codable, Sendable, Equatable {
        public var attempt: Int
        public var worker: String
        public var error_code: String
    }
    /// Jobs ahead of this one (0: next), while it is queued.
    public var queue_position: Int?
    /// Why a queued job cannot start yet, e.g. "waiting: no media capacity, box box-1 in llm mode".
    public var waiting_reason: String?
    /// When a queued job should be done (median and 90th percentile), from the jobs the fair
    /// scheduler runs first and recent run times; null while it waits on a `waiting_reason`.
    public var eta: ETA?
    public var cancel_requested: Bool
    public var progress: Progress?
    public var metrics: Metrics
    public var error: ErrorInfo?
    public var parent_batch: String?
    public var created_at: String?
    public var started_at: String?
    public var finished_at: String?
    public var urls: URLs

    public var isTerminal: Bool { JobState(rawValue: status)?.isTerminal ?? false }

    /// Whether a queued job stands where it did: the same position, reason and ETA.
    func sameStanding(as other: JobView) -> Bool {
        queue_position == other.queue_position && waiting_reason == other.waiting_reason
            && eta?.p50_ms == other.eta?.p50_ms && eta?.p90_ms == other.eta?.p90_ms
    }
}

extension JobView {
    init(snapshot s: JobSnapshot, nowMilliseconds: Int) {
        let queueMilliseconds: Int? = s.claimedMilliseconds.flatMap { claimed in
            s.createdMilliseconds.map { max(0, claimed - max($0, s.scheduledMilliseconds ?? $0)) }
        }
        // The run clock starts at the last claim; a retried job's earlier attempts don't count.
        let runMilliseconds: Int? = s.claimedMilliseconds.map { claimed in
            max(0, (s.finishedMilliseconds ?? nowMilliseconds) - claimed)
        }
        let progress: Progress? =
            (s.progress != nil || s.progressMessage != nil)
            ? Progress(fraction: s.progress, message: s.progressMessage) : nil
        self.init(
            id: s.id, kind: s.kind, queue: s.queue, status: s.state.rawValue, tenant: s.tenant, priority: s.priority,
            attempts: s.attempts, max_attempts: s.maxAttempts, worker: s.worker, fault_domains: s.faultDomains,
            attempt_history: s.failedAttempts.map { Attempt(attempt: $0.attempt, worker: $0.worker, error_code: $0.errorCode) },
            queue_position: s.state == .queued ? s.queuePosition : nil, waiting_reason: s.waitingReason,
            eta: s.eta.map {
                ETA(
                    p50_ms: $0.p50Milliseconds, p90_ms: $0.p90Milliseconds,
                    p50_at: Self.timestamp(nowMilliseconds + $0.p50Milliseconds),
                    p90_at: Self.timestamp(nowMilliseconds + $0.p90Milliseconds))
            },
            cancel_requested: s.cancelRequested, progress: progress,
            metrics: Metrics(queue_ms: queueMilliseconds, run_ms: runMilliseconds),
            error: s.errorCode.map { ErrorInfo(code: $0, message: s.errorMessage ?? "", retriable: s.errorRetriable) },
            parent_batch: s.parentBatch, created_at: s.createdMilliseconds.map(Self.timestamp),
            started_at: s.startedMilliseconds.map(Self.timestamp), finished_at: s.finishedMilliseconds.map(Self.timestamp),
            urls: URLs(id: s.id))
    }

    init(record r: RecordedJob) {
        let s = r.submission
        self.init(
            id: s.id, kind: s.kind, queue: s.queue, status: r.state.rawValue, tenant: s.tenant, priority: s.priority,
            attempts: r.attempts, max_attempts: s.maxAttempts, worker: nil, fault_domains: [], attempt_history: [],
            queue_position: nil, waiting_reason: nil, eta: nil, cancel_requested: false,
            progress: nil, metrics: Metrics(queue_ms: nil, run_ms: nil),
            error: r.errorCode.map { ErrorInfo(code: $0, message: r.errorMessage ?? "", retriable: nil) },
            parent_batch: s.parentBatch, created_at: s.createdMilliseconds.map(Self.timestamp), started_at: nil,
            finished_at: nil, urls: URLs(id: s.id))
    }

    static func timestamp(_ milliseconds: Int) -> String {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000).formatted(
            Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
