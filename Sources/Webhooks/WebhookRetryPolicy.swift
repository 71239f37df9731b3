public import Foundation

/// When a failed delivery is tried again: exponential from `base`, capped at `max`, with ±25 %
/// jitter (so a receiver back from an outage is not hit by every delivery in the same second),
/// never sooner than the receiver's `Retry-After`, and no more once `giveUpAfter` has passed
/// since the event.
public struct WebhookRetryPolicy: Sendable, Equatable {
    public var base: Duration = .seconds(1)
    public var max: Duration = .seconds(3_600)
    public var giveUpAfter: Duration = .seconds(24 * 3_600)

    public init(base: Duration = .seconds(1), max: Duration = .seconds(3_600), giveUpAfter: Duration = .seconds(86_400)) {
        self.base = base
        self.max = max
        self.giveUpAfter = giveUpAfter
    }

    /// The wait after attempt `attempt` (1 for the first) failed; `unit` in 0..<1 draws the jitter.
    public func delay(afterAttempt attempt: Int, retryAfter: Duration? = nil, unit: Double = Double.random(in: 0..<1))
        -> Duration
    {
        let exponent = Double(Swift.min(Swift.max(attempt - 1, 0), 40))
        let raw = Swift.min(seconds(base) * pow(2, exponent), seconds(max))
        let jittered = raw * (0.75 + 0.5 * unit)
        // A receiver's Retry-After counts up to the give-up horizon, not beyond: past it the
        // delivery fails anyway, and an absurd value must not overflow the arithmetic.
        let wait = Swift.min(Swift.max(jittered, retryAfter.map(seconds) ?? 0), seconds(giveUpAfter) + 1)
        return .milliseconds(Int((wait * 1000).rounded()))
    }

    /// Whether an event that happened `age` ago is still worth another attempt at `delay` from now.
    public func allowsRetry(age: Duration, delay: Duration) -> Bool {
        age + delay <= giveUpAfter
    }

    private func seconds(_ duration: Duration) -> Double {
        duration.inSeconds
    }

    /// `Retry-After` as seconds or an HTTP date; nil when absent or unreadable.
    public static func retryAfter(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(Swift.min(seconds, 30 * 86_400)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(Int(Swift.min(Swift.max(0, date.timeIntervalSince(now)), 30 * 86_400) * 1000))
    }
}
