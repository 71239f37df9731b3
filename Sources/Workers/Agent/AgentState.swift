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
    /// When the box's mode (or lack of one) began: the end of the last switch, or the start.
    let modeSince = Mutex(ContinuousClock.now)
    /// The id of the last request read from the store that the agent took up (nil while it
    /// runs its configured initial mode): the autopilot's requests must follow it.
    let handledRequestID = Mutex<String?>(nil)
    /// The autopilot's last decision, published with the status.
    let autopilot = Mutex<AutopilotReport?>(nil)
    /// The LLM lanes' measured throughput, published with the status.
    let llmThroughput = Mutex<LLMThroughput?>(nil)
    private let gpus = Mutex<[Int: GPUInfo]>([:])
    /// GPUs that were listed once and no longer are (fell off the bus), with why.
    private let missing = Mutex<[Int: String]>([:])
    private let laneTable = Mutex<[LaneSpec: BackendLane]>([:])
    /// Restarts of lanes that were stopped, so the published counts only grow.
    private let pastRestarts = Mutex<[String: Int]>([:])
    /// What the backends of stopped lanes last printed when they failed, per GPU: a switch
    /// that halted or rolled back keeps saying why until a backend serves that GPU again.
    private let pastOutput = Mutex<[Int: [String]]>([:])
    /// The box's drained GPUs, as last read from the store (and the ones not stored yet).
    let drains = Mutex<[Int: GPUDrain]>([:])
    /// Drains the agent decided (fatal Xids) that Redis has not taken yet; kept and retried.
    let unsavedDrains = Mutex<[Int: GPUDrain]>([:])
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

    /// The GPUs out of service: a hardware fault, or drained.
    var unusableIndices: Set<Int> {
        Set(faults().keys).union(drains.withLock { $0.keys })
    }

    /// What `mode` runs where: its layout over every GPU the box has, less the unusable ones,
    /// each other GPU keeping its role. The same at a switch and between them, so a drain or
    /// an undrain moves only the lanes of the GPUs concerned.
    func layout(_ mode: BoxMode) -> BoxLayout {
        BoxLayout(mode: mode, gpuIndices: gpus.withLock { Array($0.keys) }).removing(unusableIndices)
    }

    func addLane(_ lane: BackendLane) {
        laneTable.withLock { $0[lane.spec] = lane }
    }

    func removeLanes(_ specs: [LaneSpec]) {
        let removed = laneTable.withLock { table in specs.compactMap { table.removeValue(forKey: $0) } }
        pastRestarts.withLock { past in
            for lane in removed { past[lane.spec.name, default: 0] += lane.snapshot.restarts }
        }
        pastOutput.withLock { past in
            for lane in removed {
                let output = lane.snapshot.lastOutput
                guard !output.isEmpty else { continue }
                for index in lane.spec.gpuIndices { past[index] = output }
            }
        }
    }

    /// The last failure output a stopped lane left for GPU `index`; `serving` (a backend of
    /// the GPU is ready now) forgets it.
    func pastOutput(gpu index: Int, serving: Bool) -> [String]? {
        pastOutput.withLock { past in
            if serving { past[index] = nil }
            return past[index]
        }
    }

    func restarts() -> [String: Int] {
        var counts = pastRestarts.withLock { $0 }
        for lane in lanes.values { counts[lane.spec.name, default: 0] += lane.snapshot.restarts }
        return counts
    }
}
