/// LLM lines a box's server finished per second per GPU while lines were waiting for it: the
/// mode advice's LLM capacity once measured (`LLMThroughputMeter`), published with the box.
public struct LLMThroughput: Sendable, Equatable, Codable {
    public var linesPerSecondPerGPU: Double
    /// Seconds of saturated serving the figure is from, and the lines ended in them.
    public var seconds: Double
    public var lines: Int

    public init(linesPerSecondPerGPU: Double, seconds: Double, lines: Int) {
        self.linesPerSecondPerGPU = linesPerSecondPerGPU
        self.seconds = seconds
        self.lines = lines
    }

    enum CodingKeys: String, CodingKey {
        case seconds, lines
        case linesPerSecondPerGPU = "lines_per_second_per_gpu"
    }
}
