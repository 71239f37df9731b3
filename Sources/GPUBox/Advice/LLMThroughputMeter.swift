/// Measures what the box's LLM server really serves, from samples of the lines its lanes have
/// ended: only intervals in which lines were waiting at both ends count (a server that ran out
/// of work says nothing about its capacity), per GPU of the LLM lanes then (llm mode and split
/// are comparable), over the most recent `windowSeconds` of such intervals. Pure: the agent
/// feeds it, tests feed it numbers.
public struct LLMThroughputMeter: Sendable, Equatable {
    struct Sample: Sendable, Equatable {
        var at: Double
        var ended: Int
        var gpus: Int
        var saturated: Bool
    }

    struct Interval: Sendable, Equatable {
        var seconds: Double
        /// Lines ended ÷ the GPUs serving them.
        var linesPerGPU: Double
        var lines: Int
    }

    /// Saturated seconds kept; older intervals are dropped.
    public var windowSeconds: Double
    /// Saturated seconds and lines needed before there is a figure.
    public var minimumSeconds: Double
    public var minimumLines: Int
    private var last: Sample?
    private var intervals: [Interval] = []

    public init(windowSeconds: Double = 600, minimumSeconds: Double = 5, minimumLines: Int = 20) {
        self.windowSeconds = windowSeconds
        self.minimumSeconds = minimumSeconds
        self.minimumLines = minimumLines
    }

    /// A sample at `at` (seconds, any monotonic clock): `ended`, the lines the LLM lanes have
    /// ended since they started; `gpus`, the GPUs they serve; `saturated`, whether lines were
    /// queued for them. A lane restart (fewer ended) or another GPU count starts over.
    public mutating func sample(at: Double, ended: Int, gpus: Int, saturated: Bool) {
        let now = Sample(at: at, ended: ended, gpus: gpus, saturated: saturated)
        defer { last = now }
        guard let last, last.saturated, saturated, gpus > 0, last.gpus == gpus, ended >= last.ended, at > last.at
        else { return }
        let lines = ended - last.ended
        intervals.append(Interval(seconds: at - last.at, linesPerGPU: Double(lines) / Double(gpus), lines: lines))
        var kept = intervals.reduce(0) { $0 + $1.seconds }
        while kept > windowSeconds, intervals.count > 1 {
            kept -= intervals.removeFirst().seconds
        }
    }

    /// The measured figure; nil until enough saturated serving was seen.
    public var throughput: LLMThroughput? {
        let seconds = intervals.reduce(0) { $0 + $1.seconds }
        let lines = intervals.reduce(0) { $0 + $1.lines }
        guard seconds >= minimumSeconds, lines >= minimumLines else { return nil }
        let perGPU = intervals.reduce(0) { $0 + $1.linesPerGPU }
        return LLMThroughput(linesPerSecondPerGPU: perGPU / seconds, seconds: seconds, lines: lines)
    }
}
