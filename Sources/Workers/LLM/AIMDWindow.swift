/// How many requests the dispatcher keeps in flight at the LLM server: additive increase,
/// multiplicative decrease, driven by the server's own queue (from `/metrics`) or, when the
/// server has no metrics, by latency.
///
/// A pure value: the dispatcher feeds it observations and reads `limit`.
///
/// - Metrics mode: the goal is a small positive queue at the server, so a decode slot that
///   frees is refilled at once (a queue of 0 under-feeds continuous batching) while a request
///   that arrives (an interactive chat) waits behind few others. Below the target band the
///   window grows (doubling while in slow start, then +`additiveStep` per observation); above
///   it, it shrinks by `queueBackoff`.
/// - Latency mode: the per-token latency of completed requests, against the lowest seen
///   (the unloaded baseline); past `latencyFactor` × baseline the window shrinks, below it it
///   grows by one per window's worth of completions (one per "round trip", as in TCP).
/// - 429, 503 and timeouts halve the window (`overloadBackoff`) in either mode.
///
/// The window only grows while it is used up (`inFlight >= limit`), so an idle spell does not
/// inflate it, and it shrinks at most once per drain: while more requests are in flight than
/// the (already reduced) limit, further bad news is about those same requests.
public struct AIMDWindow: Sendable, Equatable {
    public struct Configuration: Sendable, Equatable {
        public var floor: Int
        public var ceiling: Int
        public var initial: Int
        public var additiveStep: Int
        /// Factor applied when the queue is above the band or latency above its bound.
        public var queueBackoff: Double
        /// Factor applied on 429, 503 and timeouts.
        public var overloadBackoff: Double
        /// The target queue as fractions of the running requests, e.g. 1/64…1/16 of 32 running
        /// is 1…2 waiting, of 256 running 4…16; at least 1…2. Enough that a freed slot is
        /// refilled at once (our refill takes milliseconds), few enough that a chat arriving
        /// waits behind a handful of requests, not behind the batch.
        public var queueLowFraction: Double
        public var queueHighFraction: Double
        /// Latency mode: shrink when per-token latency exceeds the baseline by this factor.
        public var latencyFactor: Double
        /// Latency mode: the baseline is the lowest per-token latency in the last two spans of
        /// this many samples, so it follows a server that became slower for good.
        public var baselineSpan: Int

        public init(
            floor: Int = 1, ceiling: Int = 256, initial: Int = 4, additiveStep: Int = 1, queueBackoff: Double = 0.9,
            overloadBackoff: Double = 0.5, queueLowFraction: Double = 1.0 / 64, queueHighFraction: Double = 1.0 / 16,
            latencyFactor: Double = 1.5, baselineSpan: Int = 500
        ) {
            self.floor = max(1, floor)
            self.ceiling = max(self.floor, ceiling)
            self.initial = min(max(initial, self.floor), self.ceiling)
            self.additiveStep = max(1, additiveStep)
            self.queueBackoff = min(max(queueBackoff, 0.05), 0.99)
            self.overloadBackoff = min(max(overloadBackoff, 0.05), 0.99)
            self.queueLowFraction = max(0, queueLowFraction)
            self.queueHighFraction = max(self.queueLowFraction, queueHighFraction)
            self.latencyFactor = max(1.01, latencyFactor)
            self.baselineSpan = max(10, baselineSpan)
        }

        /// A window that never moves: `limit` in flight, always (the naive fixed-concurrency client).
        public static func fixed(_ limit: Int) -> Configuration {
            Configuration(floor: limit, ceiling: limit, initial: limit)
        }
    }

    public enum Phase: String, Sendable {
        /// Doubling until the first sign of a full server.
        case slowStart
        /// Additive increase, multiplicative decrease.
        case avoidance
    }

    /// What an observation did to the window.
    public enum Change: Sendable, Equatable {
        case held
        case increased(from: Int)
        case decreased(from: Int)
    }

    public let configuration: Configuration
    public private(set) var limit: Int
    public private(set) var phase: Phase = .slowStart
    /// Latency mode state.
    private var currentSpanMinimum = Double.infinity
    private var previousSpanMinimum = Double.infinity
    private var spanCount = 0
    private var smoothed: Double?
    private var increaseCredit = 0.0

    public init(_ configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.limit = configuration.initial
    }

    /// The target band of queued requests for a server running `running` requests.
    public func queueTarget(running: Int) -> ClosedRange<Int> {
        let low = max(1, Int((Double(running) * configuration.queueLowFraction).rounded()))
        let high = max(low + 1, Int((Double(running) * configuration.queueHighFraction).rounded()))
        return low...high
    }

    /// Metrics mode: the server's gauges, with `inFlight` of ours at the time.
    @discardableResult
    public mutating func observe(_ load: ServerLoad, inFlight: Int) -> Change {
        let band = queueTarget(running: load.running)
        if load.queued > band.upperBound {
            return decrease(by: configuration.queueBackoff, inFlight: inFlight)
        }
        if load.queued < band.lowerBound && inFlight >= limit {
            return increase(slowStartDoubling: true)
        }
        return .held
    }

    /// Latency mode: one completed request, its latency per completion token (seconds).
    @discardableResult
    public mutating func observeLatency(secondsPerToken sample: Double, inFlight: Int) -> Change {
        guard sample.isFinite, sample > 0 else { return .held }
        currentSpanMinimum = min(currentSpanMinimum, sample)
        spanCount += 1
        if spanCount >= configuration.baselineSpan {
            previousSpanMinimum = currentSpanMinimum
            currentSpanMinimum = .infinity
            spanCount = 0
        }
        let baseline = min(currentSpanMinimum, previousSpanMinimum)
        let average = smoothed.map { $0 * 0.8 + sample * 0.2 } ?? sample
        smoothed = average
        if average > baseline * configuration.latencyFactor {
            let change = decrease(by: configuration.queueBackoff, inFlight: inFlight)
            if change != .held { smoothed = baseline * configuration.latencyFactor }
            return change
        }
        guard inFlight >= limit else { return .held }
        if phase == .slowStart { return increase(slowStartDoubling: false) }
        // One step per window's worth of completions: +1 per round trip.
        increaseCredit += 1 / Double(limit)
        guard increaseCredit >= 1 else { return .held }
        increaseCredit = 0
        return increase(slowStartDoubling: false)
    }

    /// A 429, a 503 or a timeout: the server says it has too much.
    @discardableResult
    public mutating func observeOverload(inFlight: Int) -> Change {
        decrease(by: configuration.overloadBackoff, inFlight: inFlight)
    }

    private mutating func increase(slowStartDoubling: Bool) -> Change {
        let before = limit
        switch phase {
        case .slowStart:
            limit = slowStartDoubling ? limit * 2 : limit + 1
        case .avoidance:
            limit += configuration.additiveStep
        }
        limit = min(limit, configuration.ceiling)
        return limit == before ? .held : .increased(from: before)
    }

    private mutating func decrease(by factor: Double, inFlight: Int) -> Change {
        // Still draining the excess of the last decrease: this news is not new.
        guard inFlight <= limit else { return .held }
        let before = limit
        phase = .avoidance
        increaseCredit = 0
        limit = max(configuration.floor, min(limit - 1, Int((Double(limit) * factor).rounded(.down))))
        return limit == before ? .held : .decreased(from: before)
    }
}
