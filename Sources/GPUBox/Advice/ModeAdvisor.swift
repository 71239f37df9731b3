import Foundation

/// Which mode serves a box's queued work best, and why: for each mode, when the work queued for
/// the box (renders and LLM lines, running ones included) would be done, counting the switch
/// to it, and how long an interactive render or chat submitted now would wait. Pure: the
/// gateway reads the demand and the costs, the advisor decides (tested without I/O).
///
/// A mode meets the interactive targets when every queue with work has capacity in it and a
/// job submitted there now would start within its target; it meets a batch's window when, its
/// LLM lines run after the interactive ones and the batches earliest due first (as the
/// promotions' deadline classes order them, to a factor of two in time left), the batch's last
/// line ends before the window closes. The advice is the mode that serves best — the targets
/// first, then the fewest windows missed — and among those the one that finishes soonest; the
/// current mode on a tie or when nothing is queued: a switch has to buy something to be advised.
public struct ModeAdvisor: Sendable, Equatable {
    /// What a render, an LLM line and a switch cost on this box: measured where the box has run
    /// that way lately, else the configured figures.
    public struct Costs: Sendable, Equatable, Codable {
        /// One render on one GPU.
        public var renderSeconds: Double
        public var renderSecondsMeasured: Bool
        /// LLM lines finished per second per GPU of the server (throughput scales with the
        /// tensor-parallel size; a measured rate is per GPU of the mode it was measured in).
        public var llmLinesPerSecondPerGPU: Double
        public var llmMeasured: Bool
        /// Drain, stop, hydrate and start: the last switch's duration when there was one.
        public var switchSeconds: Double
        public var switchMeasured: Bool

        public init(
            renderSeconds: Double = 12, renderSecondsMeasured: Bool = false, llmLinesPerSecondPerGPU: Double = 4,
            llmMeasured: Bool = false, switchSeconds: Double = 120, switchMeasured: Bool = false
        ) {
            self.renderSeconds = renderSeconds
            self.renderSecondsMeasured = renderSecondsMeasured
            self.llmLinesPerSecondPerGPU = llmLinesPerSecondPerGPU
            self.llmMeasured = llmMeasured
            self.switchSeconds = switchSeconds
            self.switchMeasured = switchMeasured
        }

        enum CodingKeys: String, CodingKey {
            case renderSeconds = "render_seconds"
            case renderSecondsMeasured = "render_seconds_measured"
            case llmLinesPerSecondPerGPU = "llm_lines_per_second_per_gpu"
            case llmMeasured = "llm_measured"
            case switchSeconds = "switch_seconds"
            case switchMeasured = "switch_measured"
        }
    }

    /// How long an interactive job submitted now may wait to start.
    public struct Targets: Sendable, Equatable, Codable {
        public var renderWaitSeconds: Double
        public var chatWaitSeconds: Double

        /// A Dream Weaver user polls for minutes at most; a chat user waits seconds.
        public init(renderWaitSeconds: Double = 300, chatWaitSeconds: Double = 60) {
            self.renderWaitSeconds = renderWaitSeconds
            self.chatWaitSeconds = chatWaitSeconds
        }

        /// Reads a box's `mode_targets`: a key left out keeps its default.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Targets()
            renderWaitSeconds = try c.decodeIfPresent(Double.self, forKey: .renderWaitSeconds) ?? d.renderWaitSeconds
            chatWaitSeconds = try c.decodeIfPresent(Double.self, forKey: .chatWaitSeconds) ?? d.chatWaitSeconds
        }

        enum CodingKeys: String, CodingKey {
            case renderWaitSeconds = "render_wait_seconds"
            case chatWaitSeconds = "chat_wait_seconds"
        }
    }

    public var gpus: [Int]
    public var current: BoxMode?
    public var costs: Costs
    public var targets: Targets

    public init(gpus: [Int], current: BoxMode?, costs: Costs = Costs(), targets: Targets = Targets()) {
        self.gpus = gpus
        self.current = current
        self.costs = costs
        self.targets = targets
    }

    /// The advice for `media` renders and `llm` lines queued or running.
    public func advise(media: QueueDemand, llm: QueueDemand) -> ModeAdvice {
        let options = BoxMode.allCases.map { option($0, media: media, llm: llm) }
        let idle = media.work == 0 && llm.work == 0
        var best = current.flatMap { mode in options.first { $0.mode == mode } } ?? options[0]
        if !idle {
            for candidate in options where !best.servesBetter(than: candidate) {
                if candidate.servesBetter(than: best)
                    || (candidate.finishSeconds ?? .infinity) < (best.finishSeconds ?? .infinity)
                {
                    best = candidate
                }
            }
        }
        return ModeAdvice(
            current: current, recommended: best.mode,
            reasons: reasons(best, options: options, idle: idle, media: media, llm: llm),
            options: options, costs: costs, targets: targets, media: media, llm: llm)
    }

    func option(_ mode: BoxMode, media: QueueDemand, llm: QueueDemand) -> ModeAdvice.Option {
        let layout = BoxLayout(mode: mode, gpuIndices: gpus)
        let switchSeconds = mode == current ? 0 : costs.switchSeconds
        let lanes = Double(layout.mediaGPUs.count)
        let llmRate = Double(layout.llmGPUs.count) * costs.llmLinesPerSecondPerGPU
        // Seconds to do `work` at `rate` jobs/s; 0 for none, nil when there is work but no capacity.
        func duration(_ work: Int, _ rate: Double) -> Double? {
            work == 0 ? 0 : rate > 0 ? Double(work) / rate : nil
        }
        let mediaSeconds = duration(media.work, lanes / costs.renderSeconds)
        let llmSeconds = duration(llm.work, llmRate)
        let finish = mediaSeconds.flatMap { m in llmSeconds.map { switchSeconds + max(m, $0) } }
        let windows = Self.windowSchedule(llm, rate: llmRate, startingIn: switchSeconds)
        // A job submitted now starts once the switch is done and what is queued ahead of it has.
        var renderWait = lanes > 0 ? switchSeconds + Double(media.queued) / lanes * costs.renderSeconds : nil
        // A mode without media GPUs that meets every batch window serves renders too: by staying
        // until the windowed lines are done, then switching to split (whose media half renders).
        // Once no window is open, it does not.
        let handover = Double(BoxLayout(mode: .split, gpuIndices: gpus).mediaGPUs.count)
        if lanes == 0, windows.missed == 0, let done = windows.done, handover > 0 {
            renderWait = done + costs.switchSeconds + Double(media.queued) / handover * costs.renderSeconds
        }
        // A chat goes ahead of backfill (batch and synthetic lines): it waits for the interactive lines only.
        let chatWait = llmRate > 0 ? switchSeconds + Double(llm.interactive) / llmRate : nil
        let meets =
            (media.work == 0 || (renderWait ?? .infinity) <= targets.renderWaitSeconds)
            && (llm.work == 0 || (chatWait ?? .infinity) <= targets.chatWaitSeconds)
        return ModeAdvice.Option(
            mode: mode, mediaGPUs: layout.mediaGPUs.count, llmGPUs: layout.llmGPUs.count, switchSeconds: switchSeconds,
            mediaSeconds: mediaSeconds, llmSeconds: llmSeconds, finishSeconds: finish, renderWaitSeconds: renderWait,
            chatWaitSeconds: chatWait, meetsTargets: meets,
            windowsMissed: windows.missed)
    }

    /// Earliest deadline first at `rate` lines/s from `startingIn` seconds, behind the lines
    /// that go ahead of every batch: the windows whose last line ends after they close, and when
    /// the last windowed line ends (nil: no window open, or no LLM capacity). EDF meets every
    /// window that any order of one server could, so a miss here is a real one.
    static func windowSchedule(_ llm: QueueDemand, rate: Double, startingIn: Double) -> (missed: Int, done: Double?) {
        guard !llm.windows.isEmpty else { return (0, nil) }
        guard rate > 0 else { return (llm.windows.count, nil) }
        var done = startingIn + Double(llm.aheadOfWindows) / rate
        var missed = 0
        for window in llm.windows {
            done += Double(window.open) / rate
            if done > window.dueInSeconds { missed += 1 }
        }
        return (missed, done)
    }

    private func reasons(
        _ best: ModeAdvice.Option, options: [ModeAdvice.Option], idle: Bool, media: QueueDemand, llm: QueueDemand
    ) -> [String] {
        func seconds(_ value: Double?) -> String { value.map { String(format: "%.0f s", $0) } ?? "never" }
        func source(_ measured: Bool) -> String { measured ? "measured" : "configured" }
        var lines = [
            "demand: \(media.work) renders × \(String(format: "%.1f", costs.renderSeconds)) s "
                + "(\(source(costs.renderSecondsMeasured))), \(llm.work) LLM lines"
                + (llm.backfill > 0 ? " (\(llm.backfill) of them backfill)" : "") + " at "
                + "\(String(format: "%.1f", costs.llmLinesPerSecondPerGPU)) lines/s per GPU (\(source(costs.llmMeasured))); "
                + "a switch takes \(String(format: "%.0f", costs.switchSeconds)) s (\(source(costs.switchMeasured)))"
        ]
        if !llm.windows.isEmpty {
            let shown = llm.windows.prefix(3).map { window in
                "\(window.batch) (\(window.open) lines, "
                    + (window.dueInSeconds >= 0 ? "due in \(seconds(window.dueInSeconds)))" : "closed)")
            }
            lines.append(
                "batch windows: " + shown.joined(separator: ", ")
                    + (llm.windows.count > 3 ? " and \(llm.windows.count - 3) more" : ""))
        }
        if idle {
            lines.append("nothing is queued: stay in \(current?.rawValue ?? best.mode.rawValue)")
            return lines
        }
        for option in options {
            var line = "\(option.mode): done in \(seconds(option.finishSeconds))"
            if option.switchSeconds > 0 { line += " (a \(String(format: "%.0f", option.switchSeconds)) s switch first)" }
            if media.work > 0 {
                line += ", a new render waits \(seconds(option.renderWaitSeconds))"
                if option.mediaGPUs == 0, option.renderWaitSeconds != nil {
                    line += " (the batch windows' lines first, then a switch to split)"
                }
            }
            if llm.work > 0 { line += ", a new chat waits \(seconds(option.chatWaitSeconds))" }
            if !option.meetsTargets { line += " — misses the interactive targets" }
            if option.windowsMissed > 0 { line += " — misses \(option.windowsMissed) of \(llm.windows.count) batch windows" }
            lines.append(line)
        }
        let stay = options.first { $0.mode == current }
        let windowed = llm.windows.isEmpty ? "" : " and as many batch windows"
        if !best.meetsTargets {
            lines.append(
                "no mode meets the interactive targets; \(best.mode) finishes soonest"
                    + (llm.windows.isEmpty ? "" : " of those that miss the fewest batch windows"))
        } else if best.mode == current {
            lines.append("stay in \(best.mode): no mode that meets the targets\(windowed) finishes sooner")
        } else if let stay, best.servesBetter(than: stay) {
            let why =
                stay.meetsTargets
                ? "would miss \(best.windowsMissed) of the batch windows where \(stay.mode) would miss \(stay.windowsMissed)"
                : "meets the interactive targets where \(stay.mode) does not"
            lines.append("switch to \(best.mode): it \(why) (done in \(seconds(best.finishSeconds)))")
        } else {
            lines.append(
                "switch to \(best.mode): done in \(seconds(best.finishSeconds)) against \(seconds(stay?.finishSeconds)) in "
                    + "\(current?.rawValue ?? "no mode")")
        }
        return lines
    }
}
