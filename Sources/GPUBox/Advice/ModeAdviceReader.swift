public import Broker
public import Foundation
import JobContracts

/// Reads what the mode advisor needs and advises each live box: the media and llm queues'
/// work (shared evenly among the live boxes, which all serve the same queues; the llm queue's
/// backfill told apart, as a chat never waits behind it), the media
/// queue's recent run times (a measured render time once there are a few), each box's usable
/// GPUs, its last switch (a measured switch cost), and the LLM batches with a window still open
/// (`JobBroker.openBatches`). The LLM throughput per GPU is the box's measured one
/// (`BoxStatus.llmThroughput`) once it has served a backlog, the configured figure before; the
/// interactive targets are the ones the box publishes (`BoxStatus.targets`), `targets` for a
/// box that publishes none.
/// The gateway answers `GET /v1/ops/mode/advice` with it; a box's autopilot follows it.
public struct ModeAdviceReader: Sendable {
    public let broker: any JobBroker
    public var costs: ModeAdvisor.Costs
    /// The targets of a box that publishes none.
    public var targets: ModeAdvisor.Targets

    public init(broker: any JobBroker, costs: ModeAdvisor.Costs = .init(), targets: ModeAdvisor.Targets = .init()) {
        self.broker = broker
        self.costs = costs
        self.targets = targets
    }

    /// Run times needed before their median replaces the configured render time.
    static let measuredRuns = 5
    /// Batch windows planned for, earliest due first.
    static let windowsRead = 100

    /// The advice for each live box of `views`. `depths`, `shares` and `openBatches` (the llm
    /// queue's, earliest due first): what was already read of the queues (a metrics scrape has
    /// them all); the rest is read.
    public func advice(
        _ views: [BoxStateStore.BoxView], depths: [String: QueueDepth] = [:], shares: [String: QueueFairShare] = [:],
        openBatches: [OpenBatch]? = nil, now: Date = Date()
    ) async throws -> [ModeAdvice] {
        let live = views.filter { $0.isAlive(timeout: BoxStateStore.heartbeatTimeout) }
        guard !live.isEmpty else { return [] }
        func depth(_ queue: String) async throws -> QueueDepth {
            if let known = depths[queue] { return known }
            return try await broker.depth(queue: queue)
        }
        let media = try await depth(DreamWeaverRender.kind.queue)
        let llm = try await depth(LLMChat.kind.queue)
        let backfill: Int
        if let known = shares[LLMChat.kind.queue] {
            backfill = known.backfill
        } else {
            backfill = try await broker.fairShare(queue: LLMChat.kind.queue).backfill
        }
        let windows: [OpenBatch]
        if let openBatches {
            windows = openBatches
        } else {
            windows = try await broker.openBatches(queue: LLMChat.kind.queue, limit: Self.windowsRead)
        }
        let runs = try await broker.recentRunMilliseconds(queue: DreamWeaverRender.kind.queue)
        var measured = costs
        if runs.count >= Self.measuredRuns {
            let sorted = runs.sorted()
            measured.renderSeconds = max(Double(sorted[sorted.count / 2]) / 1000, 0.001)
            measured.renderSecondsMeasured = true
        }
        func share(_ count: Int) -> Int { (count + live.count - 1) / live.count }
        let nowMilliseconds = now.timeIntervalSince1970 * 1000
        let windowed = windows.prefix(Self.windowsRead).map { batch in
            QueueDemand.Window(
                batch: batch.parent, queued: share(batch.counts.queued), running: share(batch.counts.running),
                dueInSeconds: (Double(batch.dueMilliseconds) - nowMilliseconds) / 1000)
        }
        return live.map { view in
            var costs = measured
            if let served = view.status.llmThroughput, served.linesPerSecondPerGPU > 0 {
                costs.llmLinesPerSecondPerGPU = served.linesPerSecondPerGPU
                costs.llmMeasured = true
            }
            if let last = view.status.lastSwitch, last.outcome == "switched", let ms = last.durationMilliseconds {
                costs.switchSeconds = Double(ms) / 1000
                costs.switchMeasured = true
            }
            // Only GPUs that can take work count: not unhealthy, drained or being drained.
            let usable = view.status.gpus.filter { $0.health == .healthy && $0.drain == nil }.map(\.index)
            let advisor = ModeAdvisor(
                gpus: usable, current: view.status.mode, costs: costs, targets: view.status.targets ?? targets)
            var advice = advisor.advise(
                media: QueueDemand(queued: share(media.queued), running: share(media.active)),
                llm: QueueDemand(
                    queued: share(llm.queued), running: share(llm.active), backfill: share(backfill),
                    windows: windowed))
            advice.box = view.status.box
            if live.count > 1 {
                advice.reasons.insert(
                    "the queues' work is shared among \(live.count) live boxes: 1/\(live.count) counted here", at: 0)
            }
            return advice
        }
    }
}
