import GPUBox
import JobContracts

extension BoxAgent {
    /// Measures what the box's LLM lanes serve while lines wait for them, for the mode advice
    /// (its own and the gateway's, through the published status): every autopilot interval, the
    /// lines the consuming LLM lanes have ended and whether the llm queue had lines waiting.
    func throughputLoop() async {
        guard let broker = advice?.broker else { return }
        var meter = LLMThroughputMeter()
        let origin = ContinuousClock.now
        while !state.finished.load(ordering: .acquiring) {
            try? await Task.sleep(for: .milliseconds(configuration.autopilotIntervalMilliseconds))
            guard !Task.isShuttingDownGracefully else { break }
            let waiting: Int
            do {
                waiting = try await broker.depth(queue: LLMChat.kind.queue).queued
            } catch {
                logger.debug("throughput: could not read the llm queue: \(error)")
                continue
            }
            let serving = state.lanes.filter { $0.key.role == "llm" && $0.value.snapshot.state == .consuming }
            let ended = serving.reduce(0) { $0 + $1.value.snapshot.jobsSinceStart }
            let gpus = serving.reduce(0) { $0 + $1.key.gpuIndices.count }
            meter.sample(at: (ContinuousClock.now - origin).inSeconds, ended: ended, gpus: gpus, saturated: waiting > 0)
            if let measured = meter.throughput { state.llmThroughput.withLock { $0 = measured } }
        }
    }
}
