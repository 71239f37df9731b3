/// Bounded retries with exponential backoff and jitter.
public struct RetryPolicy: Sendable, Equatable {
    /// Tries of one byte range (network errors, 5xx, 408, 429, short bodies).
    public var attemptsPerRange: Int
    /// Whole-file tries after a sha256 mismatch (a corrupted transfer).
    public var attemptsPerFile: Int
    public var baseDelay: Duration
    public var maxDelay: Duration

    public init(
        attemptsPerRange: Int = 5, attemptsPerFile: Int = 3, baseDelay: Duration = .milliseconds(250),
        maxDelay: Duration = .seconds(15)
    ) {
        self.attemptsPerRange = max(1, attemptsPerRange)
        self.attemptsPerFile = max(1, attemptsPerFile)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
    }

    /// The wait before try `attempt + 1` (attempt counts from 1): base·2^(attempt−1), capped,
    /// with up to 25% random jitter taken off so parallel ranges do not retry in lockstep.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let exponent = min(max(0, attempt - 1), 20)
        var delay = baseDelay * (1 << exponent)
        if delay > maxDelay { delay = maxDelay }
        let jitter = Double.random(in: 0.75...1.0)
        return delay * jitter
    }

    /// Whether an HTTP status is worth another try.
    public static func isRetriable(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status)
    }
}
