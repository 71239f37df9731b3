import GPUBox
import NIOPosix

extension BoxAgent {
    /// The kernel log to follow for Xid errors, nil when off or unreadable (said once).
    func openKernelLog() -> KernelLogTail? {
        guard !configuration.kernelLog.isEmpty else { return nil }
        do {
            return try KernelLogTail(path: configuration.kernelLog)
        } catch {
            logger.warning("not following Xid errors: \(error)")
            return nil
        }
    }

    /// Reads the kernel lines written since the last call; a fatal Xid drains its GPU at once
    /// (recorded in the store, so it outlives this agent), any other is logged.
    func followKernelLog(_ tail: KernelLogTail?) async {
        guard let tail else { return }
        guard let lines = try? await NIOThreadPool.singleton.runIfActive({ tail.readLines() }) else { return }
        let fatal = Set(configuration.fatalXids)
        for event in lines.compactMap({ XidEvent(line: $0) }) {
            let gpu = state.gpusByIndex.values.first {
                $0.pciBusID.flatMap { XidEvent.normalize(pciAddress: $0) } == event.pciAddress
            }
            guard let gpu else {
                logger.warning("\(event), on no GPU of this box")
                continue
            }
            guard fatal.contains(event.code) else {
                logger.warning("GPU \(gpu.index): \(event)")
                continue
            }
            logger.error("GPU \(gpu.index): fatal \(event); draining it until an operator undrains it")
            do {
                let drain = try await store.drain(
                    box: configuration.box, gpu: gpu.index, requestedBy: "agent:xid",
                    reason: "Xid \(event.code): \(event.detail)", immediate: true)
                state.drains.withLock { $0[gpu.index] = drain }
            } catch {
                // Not stored yet: drained here at once, and stored by `readDrains` once Redis takes it.
                logger.error("could not record the drain of GPU \(gpu.index) yet: \(error)")
                let drain = GPUDrain(
                    requestedBy: "agent:xid", requestedAtMilliseconds: 0, reason: "Xid \(event.code): \(event.detail)",
                    immediate: true)
                state.unsavedDrains.withLock { $0[gpu.index] = drain }
                state.drains.withLock { $0[gpu.index] = drain }
            }
        }
    }

    /// The drains operators (and Xids) asked for; a failed read keeps the last known ones.
    func readDrains() async {
        for (index, drain) in state.unsavedDrains.withLock({ $0 }) {
            do {
                try await store.drain(
                    box: configuration.box, gpu: index, requestedBy: drain.requestedBy, reason: drain.reason, immediate: true)
                _ = state.unsavedDrains.withLock { $0.removeValue(forKey: index) }
            } catch {
                break  // Redis still away: keep them, and the last known drains
            }
        }
        do {
            var drains = try await store.drains(box: configuration.box)
            for (index, drain) in state.unsavedDrains.withLock({ $0 }) where drains[index] == nil { drains[index] = drain }
            let before = state.drains.withLock { current -> [Int: GPUDrain] in
                defer { current = drains }
                return current
            }
            for (index, drain) in drains where before[index] == nil {
                logger.info("GPU \(index) drained by \(drain.requestedBy): \(drain.reason)")
            }
            for index in before.keys where drains[index] == nil {
                logger.info("GPU \(index) undrained")
            }
        } catch {
            logger.warning("could not read the drained GPUs: \(error)")
        }
    }

    /// Keeps the lanes what the mode's layout over the usable GPUs wants, between switches: a
    /// lane on a GPU with a hardware fault or an immediate drain is abandoned (its jobs go back
    /// to the queue), one on a GPU an operator drained is stopped after its jobs finish, and
    /// once those are gone the lanes the layout lacks (a GPU undrained, an LLM server resized
    /// to the GPUs left) are started and consume.
    func reconcileLanes() {
        guard state.switching.withLock({ $0 == nil }), let mode = state.mode.withLock({ $0 }) else { return }
        let faults = state.faults()
        let drains = state.drains.withLock { $0 }
        let wanted = Set(LaneSpec.lanes(of: state.layout(mode), configuration: configuration))
        var gone: [LaneSpec] = []
        var leaving: [LaneSpec] = []
        for (spec, lane) in state.lanes where !wanted.contains(spec) {
            if lane.isStopped {
                gone.append(spec)
                continue
            }
            leaving.append(spec)
            let fault = spec.gpuIndices.lazy.compactMap { faults[$0] }.first
            let drain = spec.gpuIndices.lazy.compactMap { drains[$0] }.first
            let reason = fault ?? drain.map { "drained by \($0.requestedBy): \($0.reason)" } ?? "not in the \(mode) layout"
            if fault != nil || drain?.immediate == true {
                if lane.snapshot.lastError != reason {
                    logger.error("stopping \(spec.name) at once: \(reason)")
                    lane.send(.abandon(reason: reason))
                }
            } else if lane.snapshot.state != .draining {
                logger.info("draining \(spec.name): \(reason)")
                lane.send(.stop(drain: configuration.drainDeadline))
            }
        }
        if !gone.isEmpty { state.removeLanes(gone) }
        // A replacement that needs the port or a GPU of a lane on its way out (the LLM server on
        // fewer GPUs) starts once that lane has stopped; the others at once, so one lane that
        // will not stop holds back only its own successor.
        for spec in wanted.sorted(by: { $0.name < $1.name }) where state.lanes[spec] == nil {
            let blocked = leaving.contains { old in
                old.port == spec.port || !Set(old.gpuIndices).isDisjoint(with: spec.gpuIndices)
            }
            if blocked { continue }
            logger.info(
                "starting \(spec.name) on GPU \(spec.gpuIndices.map(String.init).joined(separator: ",")) (\(mode) layout)")
            spawn(spec).send(.consume)
        }
    }
}
