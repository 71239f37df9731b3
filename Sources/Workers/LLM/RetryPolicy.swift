/// How an `OpenAIClient` spaces its attempts: exponential backoff with jitter, bounded in
/// attempts and in delay, overridden by a server's `Retry-After`.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in total, the first included; 1 means no retry.
    public var maxAttempts: Int
    public var baseDelay: Duration
    public var maxDelay: Duration
    /// The longest `Retry-After` honoured; a longer one is cut to this.
    public var maxRetryAfter: Duration

    public init(
        maxAttempts: Int = 5, baseDelay: Duration = .milliseconds(250), maxDelay: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(60)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = max(baseDelay, maxDelay)
        self.maxRetryAfter = maxRetryAfter
    }

    /// One attempt, no retry. (Not `.none`: that would read as an absent optional policy.)
    public static let once = RetryPolicy(maxAttempts: 1)

    /// The wait before attempt `attempt + 1` after `attempt` failed (`attempt` from 1):
    /// `Retry-After` when the server sent one, else base × 2^(attempt−1) capped at `maxDelay`,
    /// jittered into its upper half so clients that failed together do not retry together.
    /// `unit` is a random number in 0..<1 (injected, so the policy stays testable).
    public func delay(afterAttempt attempt: Int, retryAfter: Duration?, unit: Double) -> Duration {
        if let retryAfter { return min(retryAfter, maxRetryAfter) }
        let exponent = min(max(0, attempt - 1), 30)
        let ceiling = min(maxDelay, baseDelay * (1 << exponent))
        return ceiling / 2 + (ceiling / 2) * min(max(unit, 0), 1)
    }
}
