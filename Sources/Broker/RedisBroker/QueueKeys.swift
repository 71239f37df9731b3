/// The Redis keys of one queue, all under the hash tag `{namespace:queue}` so a queue lives in
/// one Redis Cluster slot and every script can touch all of it.
public struct QueueKeys: Sendable {
    public let queue: String
    public let base: String

    public init(namespace: String, queue: String) {
        self.queue = queue
        self.base = "\(namespace):{\(namespace):\(queue)}:"
    }

    /// The ready index of brokers before fair share: read once by `recover`, which moves what
    /// an upgrade left there into the rotations.
    public var ready: String { base + "ready" }
    public var queuedAt: String { base + "queued_at" }
    public var delayed: String { base + "delayed" }
    public var active: String { base + "active" }
    public var dead: String { base + "dead" }
    public var finished: String { base + "finished" }
    public var meta: String { base + "meta" }
    public var events: String { base + "events" }
    public var signal: String { base + "signal" }
    public var outbox: String { base + "outbox" }
    /// Weights, caps and rates (`QueueLimits`); the other fair-share keys are the scripts' own.
    public var limits: String { base + "limits" }
    /// Recent run times (ms) of the queue's jobs, newest first (capped by the scripts).
    public var durations: String { base + "durations" }
    public var jobPrefix: String { base + "job:" }
    public var idempotencyPrefix: String { base + "idem:" }
    /// Stream of cancel requests of running jobs only (capped), which workers follow so a
    /// cancel reaches a handler at once, without reading every state change of the queue.
    public var cancels: String { base + "cancels" }

    /// Parent batches with a window, scored by when it closes (ms since 1970).
    public var windows: String { base + "windows" }

    public func job(_ id: String) -> String { jobPrefix + id }

    /// A parent batch's children counted by state (the scripts' `tally`).
    public func batch(_ parent: String) -> String { base + "batch:" + parent }

    /// KEYS[1…12] of every broker script, in the prelude's order.
    public var scriptKeys: [String] {
        [ready, queuedAt, delayed, active, dead, finished, meta, events, signal, outbox, jobPrefix, idempotencyPrefix]
    }
}
