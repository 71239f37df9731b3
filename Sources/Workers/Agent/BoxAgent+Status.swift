import GPUBox

extension BoxAgent {
    /// The box as it stands, for `BoxStateStore.publish`.
    func status() -> BoxStatus {
        // The switch before the mode: a switch ends by setting the mode, then clearing itself,
        // so this order never pairs the old mode with no switch running.
        let switching = state.switching.withLock { $0 }
        let mode = state.mode.withLock { $0 }
        let lanes = state.lanes
        let faults = state.faults()
        let drains = state.drains.withLock { $0 }
        var gpus: [GPUStatus] = []
        for gpu in state.gpusByIndex.values.sorted(by: { $0.index < $1.index }) {
            var status = GPUStatus(
                index: gpu.index, uuid: gpu.uuid, name: gpu.name, utilizationPercent: gpu.utilizationPercent,
                memoryUsedMiB: gpu.memoryUsedMiB, memoryTotalMiB: gpu.memoryTotalMiB, temperatureCelsius: gpu.temperatureCelsius)
            if let (spec, lane) = lanes.first(where: { $0.key.gpuIndices.contains(gpu.index) }) {
                let snapshot = lane.snapshot
                status.role = spec.role
                status.backend = spec.name
                status.backendState = snapshot.state.rawValue
                status.currentJob = snapshot.currentJobs.first
                status.backendPID = snapshot.pid.map(Int.init)
                let serving = snapshot.state == .ready || snapshot.state == .consuming
                if !serving, !snapshot.lastOutput.isEmpty { status.backendOutput = snapshot.lastOutput }
                if status.backendOutput == nil {
                    status.backendOutput = state.pastOutput(gpu: gpu.index, serving: serving)
                }
                switch snapshot.state {
                case .failed:
                    status.health = .unhealthy
                    status.healthReason = snapshot.lastError
                case .draining:
                    status.health = .draining
                default:
                    break
                }
            } else {
                status.backendOutput = state.pastOutput(gpu: gpu.index, serving: false)
            }
            if let drain = drains[gpu.index] {
                status.drain = drain
                // Draining while its backend still finishes jobs; drained once it is gone.
                status.health = status.backendState == nil || status.backendState == "stopped" ? .drained : .draining
                status.healthReason = "drained by \(drain.requestedBy): \(drain.reason)"
            }
            if let fault = faults[gpu.index] {
                status.health = .unhealthy
                status.healthReason = fault
            }
            gpus.append(status)
        }
        return BoxStatus(
            box: configuration.box, mode: mode, desiredMode: nil,
            switching: switching, lastSwitch: state.lastSwitch.withLock { $0 },
            lastSwitchError: state.lastSwitchError.withLock { $0 },
            heartbeatMilliseconds: 0, backendRestarts: state.restarts(), gpus: gpus,
            autopilot: state.autopilot.withLock { $0 }, llmThroughput: state.llmThroughput.withLock { $0 },
            targets: configuration.modeTargets)
    }
}
