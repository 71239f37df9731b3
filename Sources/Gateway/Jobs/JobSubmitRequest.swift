import Broker
import Producer

/// The body of `POST /v1/jobs`.
struct JobSubmitRequest: Decodable, Sendable {
    struct Timeouts: Decodable, Sendable {
        var wait_ms: Int?
        var run_ms: Int?
        var heartbeat_ms: Int?
    }

    struct Backoff: Decodable, Sendable {
        var base_ms: Int?
        var max_ms: Int?
    }

    var kind: String
    var payload: JSONValue?
    var priority: Int?
    var max_attempts: Int?
    var delay_ms: Int?
    var idempotency_key: String?
    var timeouts: Timeouts?
    var backoff: Backoff?
    /// Push the job's end here, signed (Standard Webhooks); else the tenant's default, if any.
    var webhook_url: String?
    /// Which ends: `job.succeeded`, `job.failed`, `job.canceled`, `job.dead` (default: all four);
    /// and `job.progress` for 25, 50 and 75 % of a running job (only when named).
    var webhook_events: [String]?
    /// Counts the job under the queue's `key:<this>` cap and rate (e.g. `lead:42`).
    var concurrency_key: String?

    /// The producer's request for `principal`; the `Idempotency-Key` header wins over the body.
    func jobRequest(principal: Principal, idempotencyKey header: String?) -> JobRequest {
        let defaults = JobRequest(kind: kind)
        var timeouts = defaults.timeouts
        if let t = self.timeouts {
            timeouts.waitMilliseconds = t.wait_ms ?? timeouts.waitMilliseconds
            timeouts.runMilliseconds = t.run_ms ?? timeouts.runMilliseconds
            timeouts.heartbeatMilliseconds = t.heartbeat_ms ?? timeouts.heartbeatMilliseconds
        }
        var backoff = defaults.backoff
        if let b = self.backoff {
            backoff.baseMilliseconds = b.base_ms ?? backoff.baseMilliseconds
            backoff.maxMilliseconds = b.max_ms ?? backoff.maxMilliseconds
        }
        var request = JobRequest(
            kind: kind, payload: .json(payload ?? .object([:])), tenant: principal.tenant, actor: principal.subject,
            priority: priority ?? defaults.priority, idempotencyKey: header ?? idempotency_key,
            maxAttempts: max_attempts ?? defaults.maxAttempts, backoff: backoff, timeouts: timeouts,
            delayMilliseconds: delay_ms ?? 0)
        request.concurrencyKey = concurrency_key
        return request
    }
}
