/// How long to wait before attempt n+1: exponential growth from `base`, capped at `max`, with
/// "equal jitter" (half fixed, half random) so a burst of failures does not retry in lockstep.
public struct BackoffPolicy: Sendable, Equatable, Codable {
    public var baseMilliseconds: Int
    public var maxMilliseconds: Int

    public init(baseMilliseconds: Int = 1_000, maxMilliseconds: Int = 300_000) {
        self.baseMilliseconds = baseMilliseconds
        self.maxMilliseconds = maxMilliseconds
    }

    /// The delay after the `attempt`-th attempt failed (attempts count from 1).
    public func delayMilliseconds(afterAttempt attempt: Int, random: Double = Double.random(in: 0..<1)) -> Int {
        let exponent = min(max(attempt - 1, 0), 30)
        let grown = Double(baseMilliseconds) * Double(1 << exponent)
        let ceiling = Int(min(Double(maxMilliseconds), grown))
        let half = ceiling / 2
        return half + Int(Double(ceiling - half) * random)
    }

    /// `base,max`, as stored with the job in Redis.
    var encoded: String { "\(baseMilliseconds),\(maxMilliseconds)" }

    init?(encoded: String) {
        let parts = encoded.split(separator: ",").compactMap { Int($0) }
        guard parts.count == 2 else { return nil }
        self.init(baseMilliseconds: parts[0], maxMilliseconds: parts[1])
    }
}
