import GPUBox

extension BoxAgent {
    /// Runs one switch to its end (switched, rolled back or halted), recording every step.
    func performSwitch(_ request: ModeRequest) async {
        let from = state.mode.withLock { $0 }
        if from == request.mode && !state.lanes.isEmpty {
            logger.info("box already in \(request.mode) mode; request \(request.id) needs no switch")
            try? await audit?.begin(request, from: from)
            try? await audit?.finish(switchID: request.id, outcome: .switched(to: request.mode))
            return
        }
        logger.info(
            "switching \(configuration.box) from \(from?.rawValue ?? "nothing") to \(request.mode) (request \(request.id) by \(request.requestedBy))"
        )
        await record { try await $0.begin(request, from: from) }
        var machine = ModeSwitch(from: from, to: request.mode)
        var departing: [LaneSpec] = []
        var progress = BoxStatus.SwitchProgress(
            id: request.id, from: from, to: request.mode, step: .stopLeasing, rollingBack: false)
        let began = ContinuousClock.now
        while case .perform(let step, let mode) = machine.current {
            let rollingBack = machine.phase != .forward
            let target = rollingBack ? (from ?? request.mode) : request.mode
            progress.step = step
            progress.rollingBack = rollingBack
            state.switching.withLock { [progress] in $0 = progress }
            await record { try await $0.event(switchID: request.id, step: step, mode: mode, status: .started) }
            let started = ContinuousClock.now
            let failure = await perform(step, target: target, departing: &departing)
            let took = (ContinuousClock.now - started).milliseconds
            let label = (rollingBack ? "rollback " : "") + step.rawValue
            if let failure {
                logger.error("mode switch step \(label) failed after \(took) ms: \(failure)")
                await record {
                    try await $0.event(switchID: request.id, step: step, mode: mode, status: .failed, message: failure)
                }
            } else {
                logger.info("mode switch step \(label) took \(took) ms")
                await record { try await $0.event(switchID: request.id, step: step, mode: mode, status: .succeeded) }
            }
            // Published with the next step (or the outcome), so no step is missed however short.
            progress.steps.append(
                SwitchStepTiming(
                    step: step, rollingBack: rollingBack, succeeded: failure == nil, durationMilliseconds: took,
                    message: failure))
            machine.advance(succeeded: failure == nil, reason: failure ?? "")
        }
        guard case .finish(let outcome) = machine.current else { return }
        progress.durationMilliseconds = (ContinuousClock.now - began).milliseconds
        progress.outcome =
            switch outcome {
            case .switched: "switched"
            case .rolledBack: "rolled_back"
            case .halted: "halted"
            }
        switch outcome {
        case .switched(let mode):
            state.mode.withLock { $0 = mode }
            state.lastSwitchError.withLock { $0 = nil }
            logger.info("box \(configuration.box) now in \(mode) mode")
        case .rolledBack(let mode, let reason):
            state.mode.withLock { $0 = mode }
            state.lastSwitchError.withLock { $0 = "switch to \(request.mode) rolled back to \(mode): \(reason)" }
        case .halted(let reason):
            // Safe mode: nothing runs. Stop whatever is left.
            await stopLanes(Array(state.lanes.keys), drain: .zero)
            state.mode.withLock { $0 = nil }
            state.lastSwitchError.withLock { $0 = "switch to \(request.mode) halted, no backends running: \(reason)" }
        }
        // The ended switch replaces the running one in a single publish: a follower never sees
        // neither.
        state.lastSwitch.withLock { [progress] in $0 = progress }
        // The new mode and its start are set before the switch is cleared: whoever reads
        // `switching` first (the status, the autopilot) never sees the old mode as settled.
        state.modeSince.withLock { $0 = .now }
        state.switching.withLock { $0 = nil }
        logger.info("mode switch \(request.id) \(progress.outcome ?? "") in \(progress.durationMilliseconds ?? 0) ms")
        await record { try await $0.finish(switchID: request.id, outcome: outcome) }
    }

    /// Performs one step towards `target`; returns why it failed, or nil.
    private func perform(_ step: ModeSwitchStep, target: BoxMode, departing: inout [LaneSpec]) async -> String? {
        let wanted = Set(LaneSpec.lanes(of: state.layout(target), configuration: configuration))
        switch step {
        case .stopLeasing:
            // Stopping a lane starts with its workers' graceful shutdown: they claim nothing more.
            departing = state.lanes.keys.filter { !wanted.contains($0) }
            for spec in departing { state.lanes[spec]?.send(.stop(drain: configuration.drainDeadline)) }
            return nil
        case .drain:
            let lanes = departing.compactMap { state.lanes[$0] }
            let deadline = ContinuousClock.now + configuration.drainDeadline + .seconds(5)
            while lanes.contains(where: { !$0.snapshot.currentJobs.isEmpty && $0.snapshot.state != .stopped }) {
                guard ContinuousClock.now < deadline else { break }  // the lanes give their jobs back themselves
                try? await Task.sleep(for: .milliseconds(20))
            }
            return nil
        case .stopBackends:
            let leaving = state.lanes.keys.filter { !wanted.contains($0) }
            return await stopLanes(leaving, drain: configuration.drainDeadline)
        case .hydrate:
            guard let hydrate else { return nil }
            do {
                let models = try await hydrate(target)
                state.setModels((models.extraModelPaths, models.llmModelPath))
                return nil
            } catch {
                return "hydrating \(target) failed: \(error)"
            }
        case .startBackends:
            guard !wanted.isEmpty else { return "no healthy GPU for \(target) mode" }
            for spec in wanted.sorted(by: { $0.name < $1.name }) where state.lanes[spec] == nil {
                _ = spawn(spec)
            }
            return nil
        case .healthCheck:
            var failures: [String] = []
            for spec in wanted.sorted(by: { $0.name < $1.name }) {
                guard let lane = state.lanes[spec] else {
                    failures.append("\(spec.name) is not running")
                    continue
                }
                if let error = await lane.waitUntilSettled() { failures.append("\(spec.name): \(error)") }
            }
            return failures.isEmpty ? nil : failures.joined(separator: "; ")
        case .consume:
            for spec in wanted {
                guard let lane = state.lanes[spec] else { return "\(spec.name) is not running" }
                lane.send(.consume)
            }
            return nil
        }
    }

    /// Stops lanes and waits for their backends to exit (bounded); returns why that failed.
    @discardableResult
    func stopLanes(_ specs: [LaneSpec], drain: Duration) async -> String? {
        let lanes = specs.compactMap { state.lanes[$0] }
        for lane in lanes { lane.send(.stop(drain: drain)) }
        let deadline = ContinuousClock.now + drain + .seconds(60)
        while lanes.contains(where: { !$0.isStopped }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let stopped = lanes.allSatisfy(\.isStopped)
        guard stopped else { return "backends did not stop: \(lanes.map(\.spec.name).joined(separator: ", "))" }
        state.removeLanes(specs)
        return nil
    }

    /// Audit writes never stop a switch: a Postgres hiccup is logged, the GPUs keep working.
    private func record(_ body: (ModeSwitchLog) async throws -> Void) async {
        guard let audit else { return }
        do {
            try await body(audit)
        } catch {
            logger.warning("could not write the mode switch audit: \(error)")
        }
    }
}
