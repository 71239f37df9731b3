extension JobSubmission {
    /// Limits every submission must respect, whatever its kind.
    public struct Limits: Sendable {
        public var maxPayloadBytes = 512 * 1024
        public var priorities = -1_000...1_000
        public var attempts = 1...100
        public var leaseMilliseconds = 1_000...86_400_000
        public var maxIdempotencyKeyBytes = 256
        public init() {}
    }

    /// Refuses a submission that breaks a limit, naming the field; nothing is stored.
    public func validate(_ limits: Limits = Limits()) throws {
        func refuse(_ field: String, _ message: String) -> BrokerError {
            BrokerError(.invalidJob, "\(field): \(message)", field: field)
        }
        guard JobID.isValid(id) else { throw refuse("id", "must be a lowercase hyphenated UUID") }
        guard !kind.isEmpty, kind.utf8.count <= 128 else { throw refuse("kind", "must be 1-128 bytes") }
        guard Self.isName(queue) else { throw refuse("queue", "must be 1-64 of [a-z0-9_.-]") }
        guard !tenant.isEmpty, tenant.utf8.count <= 128, !tenant.contains(":") else {
            throw refuse("tenant", "must be 1-128 bytes without ':'")
        }
        guard payload.utf8.count <= limits.maxPayloadBytes else {
            throw BrokerError(
                .payloadTooLarge, "payload is \(payload.utf8.count) bytes; the limit is \(limits.maxPayloadBytes)",
                field: "payload")
        }
        guard limits.priorities.contains(priority) else {
            throw refuse("priority", "must be in \(limits.priorities.lowerBound)...\(limits.priorities.upperBound)")
        }
        guard limits.attempts.contains(maxAttempts) else {
            throw refuse("max_attempts", "must be in \(limits.attempts.lowerBound)...\(limits.attempts.upperBound)")
        }
        guard limits.leaseMilliseconds.contains(leaseMilliseconds) else {
            throw refuse("lease_ms", "must be in \(limits.leaseMilliseconds.lowerBound)...\(limits.leaseMilliseconds.upperBound)")
        }
        guard runTimeoutMilliseconds >= 0 else { throw refuse("run_timeout_ms", "must not be negative") }
        guard waitTimeoutMilliseconds >= 0 else { throw refuse("wait_timeout_ms", "must not be negative") }
        guard delayMilliseconds >= 0 else { throw refuse("delay_ms", "must not be negative") }
        guard backoff.baseMilliseconds >= 0, backoff.maxMilliseconds >= backoff.baseMilliseconds else {
            throw refuse("backoff", "needs 0 <= base <= max")
        }
        if let concurrencyKey, !Self.isKey(concurrencyKey) {
            throw refuse("concurrency_key", "must be 1-128 bytes without control characters")
        }
        // A claim's preference lists affinities one per line: none may hold a line break.
        if let affinity, !Self.isKey(affinity) {
            throw refuse("affinity", "must be 1-128 bytes without control characters")
        }
        if let idempotencyKey {
            guard !idempotencyKey.isEmpty, idempotencyKey.utf8.count <= limits.maxIdempotencyKeyBytes else {
                throw refuse("idempotency_key", "must be 1-\(limits.maxIdempotencyKeyBytes) bytes")
            }
        }
    }

    /// 1-128 bytes, no control characters: a concurrency key or an affinity.
    static func isKey(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 128
            && !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
    }

    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy {
                ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D
            }
    }
}
