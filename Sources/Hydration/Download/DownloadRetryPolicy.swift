public import VelocityTypes

/// Bounded retries of a download, spaced by the product's `BackoffPolicy`.
public struct DownloadRetryPolicy: Sendable, Equatable {
    /// Tries of one byte range (network errors, 5xx, 408, 429, short bodies).
    public var attemptsPerRange: Int
    /// Whole-file tries after a sha256 mismatch (a corrupted transfer).
    public var attemptsPerFile: Int
    public var backoff: BackoffPolicy

    public init(
        attemptsPerRange: Int = 5, attemptsPerFile: Int = 3, baseDelay: Duration = .milliseconds(250),
        maxDelay: Duration = .seconds(15)
    ) {
        self.attemptsPerRange = max(1, attemptsPerRange)
        self.attemptsPerFile = max(1, attemptsPerFile)
        self.backoff = BackoffPolicy(base: baseDelay, max: maxDelay)
    }

    /// The wait before try `attempt + 1` (attempt counts from 1).
    public func delay(afterAttempt attempt: Int) -> Duration {
        backoff.delay(afterAttempt: attempt)
    }

    /// Whether an HTTP status is worth another try.
    public static func isRetriable(status: Int) -> Bool {
        status == 408 || status == 429 || (500...599).contains(status)
    }
}
