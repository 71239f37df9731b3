public import VelocityTypes
/// How an `OpenAIClient` spaces its attempts: the product's `BackoffPolicy`, bounded in
/// attempts, overridden by a server's `Retry-After`.
public struct RequestRetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included; 1 means no retry.
    public var maxAttempts: Int
    public var backoff: BackoffPolicy
    /// The longest `Retry-After` honoured; a longer one is cut to this.
    public var maxRetryAfter: Duration

    public init(
        maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.backoff = BackoffPolicy(base: baseDelay, max: max(baseDelay, maxDelay))
        self.maxRetryAfter = maxRetryAfter
    }

    /// One attempt, no retry. (Not `.none`: that would read as an absent optional policy.)
    public static let once = RequestRetryPolicy(maxAttempts: 1)

    /// The wait before attempt `attempt + 1` after `attempt` failed (`attempt` from 1):
    /// `Retry-After` when the server sent one, else the backoff's delay. `unit` is a random
    /// number in 0..<1 (injected, so the policy stays testable).
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, unit: Double) -> Duration {
        if let retryAfter { return min(retryAfter, maxRetryAfter) }
        return backoff.delay(afterAttempt: attempt, random: unit)
    }
}
