import GPUBox
import Synchronization

/// The agent's mutable state, shared by its loops.
final class AgentState: Sendable {
    let spawner = Mutex<AsyncStream<BackendLane>.Continuation?>(nil)
    let finished = Atomic<Bool>(false)
    let mode = Mutex<BoxMode?>(nil)
    let switching = Mutex<BoxStatus.SwitchProgress?>(nil)
    let lastSwitch = Mutex<BoxStatus.SwitchProgress?>(nil)
    let lastSwitchError = Mutex<String?>(nil)
    let inventoryError = Mutex<String?>(nil)
    private let gpus = Mutex<[Int: GPUInfo]>([:])
    /// GPUs that were listed once and no longer are (fell off the bus), with why.
    private let missing = Mutex<[Int: String]>([:])
    private let laneTable = Mutex<[LaneSpec: BackendLane]>([:])
    /// Restarts of lanes that were stopped, so the published counts only grow.
    private let pastRestarts = Mutex<[String: Int]>([:])
    /// The box's drained GPUs, as last read from the store.
    let drains = Mutex<[Int: GPUDrain]>([:])
    private let hydrated = Mutex<(extraModelPaths: String, llmModelPath: String)>(("", ""))

    var gpusByIndex: [Int: GPUInfo] { gpus.withLock { $0 } }
    var lanes: [LaneSpec: BackendLane] { laneTable.withLock { $0 } }
    var models: (extraModelPaths: String, llmModelPath: String) { hydrated.withLock { $0 } }

    func setModels(_ models: (extraModelPaths: String, llmModelPath: String)) {
        hydrated.withLock { $0 = models }
    }

    func record(_ reading: [GPUInfo], problems: String) {
        let listed = Set(reading.map(\.index))
        gpus.withLock { known in
            let lost = known.keys.filter { !listed.contains($0) }
            missing.withLock { missing in
                for index in lost where missing[index] == nil {
                    missing[index] = problems.isEmpty ? "GPU \(index) is no longer listed by nvidia-smi" : problems
                }
            }
            for gpu in reading { known[gpu.index] = gpu }
        }
        inventoryError.withLock { $0 = nil }
    }

    /// Why each faulty GPU must not be used.
    func faults() -> [Int: String] {
        var faults = missing.withLock { $0 }
        for gpu in gpus.withLock({ $0.values }) where (gpu.uncorrectedECCErrors ?? 0) > 0 && faults[gpu.index] == nil {
            faults[gpu.index] = "\(gpu.uncorrectedECCErrors ?? 0) uncorrected ECC errors"
        }
        return faults
    }

    /// The GPUs a mode may use: no hardware fault, not drained.
    var usableIndices: [Int] {
        let faults = faults()
        let drained = drains.withLock { $0 }
        return gpus.withLock { $0.keys.filter { faults[$0] == nil && drained[$0] == nil } }.sorted()
    }

    func addLane(_ lane: BackendLane) {
        laneTable.withLock { $0[lane.spec] = lane }
    }

    func removeLanes(_ specs: [LaneSpec]) {
        let removed = laneTable.withLock { table in specs.compactMap { table.removeValue(forKey: $0) } }
        pastRestarts.withLock { past in
            for lane in removed { past[lane.spec.name, default: 0] += lane.snapshot.restarts }
        }
    }

    func restarts() -> [String: Int] {
        var counts = pastRestarts.withLock { $0 }
        for lane in lanes.values { counts[lane.spec.name, default: 0] += lane.snapshot.restarts }
        return counts
    }
}
