import GPUBox
import Testing

/// The LLM throughput the mode advice uses once measured, as a pure function of samples.
@Suite("LLM throughput meter")
struct LLMThroughputMeterTests {
    @Test("only saturated intervals count, per GPU, llm and split alike")
    func saturatedPerGPU() throws {
        var meter = LLMThroughputMeter(windowSeconds: 600, minimumSeconds: 5, minimumLines: 20)
        // 4 GPUs, 16 lines/s for 4 s: not yet enough seconds.
        for t in 0...4 { meter.sample(at: Double(t), ended: t * 16, gpus: 4, saturated: true) }
        #expect(meter.throughput == nil)
        // The queue runs dry: 2 lines in the next 5 s say nothing about capacity.
        meter.sample(at: 5, ended: 66, gpus: 4, saturated: false)
        meter.sample(at: 10, ended: 68, gpus: 4, saturated: false)
        #expect(meter.throughput == nil)
        // Split: 2 GPUs at 8 lines/s for 2 s after a restart of the lane (its count starts over).
        meter.sample(at: 12, ended: 0, gpus: 2, saturated: true)
        meter.sample(at: 13, ended: 8, gpus: 2, saturated: true)
        meter.sample(at: 14, ended: 16, gpus: 2, saturated: true)
        let measured = try #require(meter.throughput)
        #expect(measured.linesPerSecondPerGPU == 4)
        #expect(measured.seconds == 6 && measured.lines == 80)
    }

    @Test("the window keeps the most recent saturated seconds; a change of GPUs or fewer lines start over")
    func windowAndResets() {
        var meter = LLMThroughputMeter(windowSeconds: 10, minimumSeconds: 1, minimumLines: 1)
        for t in 0...10 { meter.sample(at: Double(t), ended: t * 4, gpus: 1, saturated: true) }
        #expect(meter.throughput?.linesPerSecondPerGPU == 4)
        // Faster now: after 10 more seconds only the new rate is left.
        for t in 11...20 { meter.sample(at: Double(t), ended: 40 + (t - 10) * 8, gpus: 1, saturated: true) }
        #expect(meter.throughput?.linesPerSecondPerGPU == 8)
        #expect(meter.throughput?.seconds == 10)
        // Another GPU count: that interval is skipped, the figure stays.
        meter.sample(at: 21, ended: 200, gpus: 2, saturated: true)
        #expect(meter.throughput?.seconds == 10)
    }
}
