/// How long to wait before attempt n+1: exponential growth from `base`, capped at `max`, with
/// "equal jitter" (half fixed, half random) so a burst of failures does not retry in lockstep.
///
/// The one backoff formula of the product: a job's retries (stored with the job), an HTTP
/// client's retries, a download's retries and a reconnect loop's pauses all use it.
public struct BackoffPolicy: Sendable, Equatable, Codable {
    public var baseMilliseconds: Int
    public var maxMilliseconds: Int

    public init(baseMilliseconds: Int = 1_000, maxMilliseconds: Int = 300_000) {
        self.baseMilliseconds = baseMilliseconds
        self.maxMilliseconds = maxMilliseconds
    }

    /// The same policy from durations (whole milliseconds).
    public init(base: Duration, max: Duration) {
        self.init(baseMilliseconds: base.milliseconds, maxMilliseconds: max.milliseconds)
    }

    /// The delay after the `attempt`-th attempt failed (attempts count from 1); `random` is a
    /// number in 0..<1 (injected, so the policy stays testable).
    public func delayMilliseconds(afterAttempt attempt: Int, random: Double = Double.random(in: 0..<1)) -> Int {
        let exponent = min(max(attempt - 1, 0), 30)
        let grown = Double(baseMilliseconds) * Double(1 << exponent)
        let ceiling = Int(min(Double(maxMilliseconds), grown))
        let half = ceiling / 2
        return half + Int(Double(ceiling - half) * min(max(random, 0), 1))
    }

    /// `delayMilliseconds` as a duration.
    public func delay(afterAttempt attempt: Int, random: Double = Double.random(in: 0..<1)) -> Duration {
        .milliseconds(delayMilliseconds(afterAttempt: attempt, random: random))
    }

    /// The pause of a loop that lost its connection (Redis, Postgres) before it tries again.
    public static let reconnect = BackoffPolicy(baseMilliseconds: 200, maxMilliseconds: 5_000)
}
