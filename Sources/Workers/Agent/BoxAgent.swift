public import CurlClient
import Foundation
public import GPUBox
public import Logging
public import ServiceLifecycle
import Synchronization

/// The box agent: one per GPU box. It reads the GPUs from nvidia-smi, follows the mode an
/// operator (or its autopilot, once an operator turns it on) asks for (switching with
/// `ModeSwitch`, every step an audit event), supervises a
/// `BackendLane` per backend, drains lanes whose GPU reports a hardware fault, and publishes
/// the box's status with a heartbeat for `GET /v1/gpus`.
///
/// On graceful shutdown it stops claiming, drains running jobs (giving them back unspent past
/// the drain deadline), stops every backend, and publishes a last status with no mode.
public struct BoxAgent: Service {
    /// Makes the models of a mode ready on local disk; returns what the backends are started with.
    public typealias Hydrate = @Sendable (BoxMode) async throws -> HydratedModels

    public struct HydratedModels: Sendable, Equatable {
        /// ComfyUI's `extra_model_paths.yaml`.
        public var extraModelPaths: String
        /// The LLM server's model path.
        public var llmModelPath: String

        public init(extraModelPaths: String, llmModelPath: String) {
            self.extraModelPaths = extraModelPaths
            self.llmModelPath = llmModelPath
        }
    }

    let configuration: AgentConfiguration
    let store: BoxStateStore
    let audit: ModeSwitchLog?
    let hydrate: Hydrate?
    /// Reads the queued demand for the autopilot; nil: the box has none.
    let advice: ModeAdviceReader?
    let state: AgentState
    let environment: LaneEnvironment

    public init(
        configuration: AgentConfiguration, store: BoxStateStore, audit: ModeSwitchLog?, factory: WorkerFactory,
        hydrate: Hydrate?, advice: ModeAdviceReader? = nil, http: CurlHTTPClient, executablePath: String,
        logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.audit = audit
        self.hydrate = hydrate
        self.advice = advice
        let state = AgentState()
        self.state = state
        environment = LaneEnvironment(
            configuration: configuration, logger: logger, http: http, factory: factory, executablePath: executablePath,
            gpus: { state.gpusByIndex }, models: { state.models })
    }

    var logger: Logger { environment.logger }

    public func run() async throws {
        try await audit?.migrate()
        try await readInventory()
        let (spawns, spawner) = AsyncStream.makeStream(of: BackendLane.self)
        state.spawner.withLock { $0 = spawner }
        await withDiscardingTaskGroup { group in
            group.addTask { await publishLoop() }
            group.addTask { await inventoryLoop() }
            group.addTask { await autopilotLoop() }
            group.addTask { await throughputLoop() }
            group.addTask {
                await controlLoop()
                await stopAllLanes()
                state.finished.store(true, ordering: .releasing)
                spawner.finish()
            }
            for await lane in spawns {
                group.addTask { await lane.run() }
            }
        }
        // The last word: no mode, no lanes; the heartbeat stops here.
        try? await store.publish(status())
    }

    /// Reads desired modes and switches; watches GPU health and backend memory.
    private func controlLoop() async {
        var handled: String?
        var initial: ModeRequest?
        var lastPrune = ContinuousClock.now
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var request: ModeRequest?
            do {
                request = try await store.desired(box: configuration.box)
            } catch {
                logger.warning("could not read the desired mode: \(error)")
            }
            if request == nil {
                if initial == nil {
                    initial = ModeRequest(
                        box: configuration.box, mode: configuration.initialMode, requestedBy: "agent:initial_mode")
                }
                request = initial
            }
            if let request, request.id != handled {
                handled = request.id
                if request.id != initial?.id { state.handledRequestID.withLock { $0 = request.id } }
                await performSwitch(request)
            }
            await readDrains()
            reconcileLanes()
            for lane in state.lanes.values where lane.spec.role == "media" {
                lane.checkMemoryGrowth(limitMiB: configuration.recycleAfterMemoryGrowthMiB)
            }
            if lastPrune.duration(to: .now) > .seconds(60) {
                lastPrune = .now
                for spec in state.lanes.keys { await environment.pruneOutputs(spec, olderThan: .seconds(900)) }
            }
            try? await Task.sleep(for: .milliseconds(configuration.tickMilliseconds))
        }
    }

    private func publishLoop() async {
        while !state.finished.load(ordering: .acquiring) {
            do {
                try await store.publish(status())
            } catch {
                logger.warning("could not publish the box status: \(error)")
            }
            try? await Task.sleep(for: .milliseconds(configuration.tickMilliseconds))
        }
    }

    private func inventoryLoop() async {
        let kernelLog = openKernelLog()
        while !state.finished.load(ordering: .acquiring) {
            try? await Task.sleep(for: .milliseconds(configuration.inventoryIntervalMilliseconds))
            do {
                try await readInventory()
            } catch {
                logger.error("nvidia-smi failed: \(error)")
                state.inventoryError.withLock { $0 = "\(error)" }
            }
            await followKernelLog(kernelLog)
        }
    }

    func readInventory() async throws {
        let reading = try await GPUInventoryReader(command: configuration.nvidiaSmi).read()
        state.record(reading.gpus, problems: reading.problems)
    }

    private func stopAllLanes() async {
        let lanes = state.lanes
        let names = lanes.keys.map(\.name).sorted().joined(separator: ", ")
        logger.info(
            "box agent \(configuration.box) shutting down: draining \(lanes.isEmpty ? "no backends" : names) (deadline \(configuration.drainDeadlineSeconds) s)"
        )
        let began = ContinuousClock.now
        for lane in lanes.values { lane.send(.stop(drain: configuration.drainDeadline)) }
        for lane in lanes.values { await lane.waitUntilStopped() }
        state.removeLanes(Array(lanes.keys))
        state.mode.withLock { $0 = nil }
        logger.info("box agent \(configuration.box) stopped in \((ContinuousClock.now - began).milliseconds) ms")
    }

    func spawn(_ spec: LaneSpec) -> BackendLane {
        let lane = BackendLane(spec: spec, environment: environment)
        state.addLane(lane)
        _ = state.spawner.withLock { $0?.yield(lane) }
        return lane
    }
}
