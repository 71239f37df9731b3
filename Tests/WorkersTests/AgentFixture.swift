import BlobStore
import Broker
import CurlClient
import Emulators
import Foundation
import GPUBox
import Images
import Logging
import ServiceLifecycle
import TestSupport
import Testing
import Workers

/// A box agent on the shared test Redis and Postgres, with fake GPUs and the `velocity`
/// binary's emulators as its backends: real processes, started, probed and stopped by the agent.
struct AgentFixture {
    let broker: TestBroker
    let records: TestRecordStore
    let store: BoxStateStore
    let blobs: any BlobStore
    let directory: URL
    let gpuState: String
    let configuration: AgentConfiguration
    let workflow: DreamWeaverWorkflow
    let http: CurlHTTPClient
    /// The `velocity` executable whose emulators are the backends.
    let velocity: String

    static func make(
        gpus: Int = 2, mode: BoxMode = .media, renderSeconds: Double = 0.3, blobs: (any BlobStore)? = nil,
        redisURL: String? = nil, namespace: String? = nil, configure: (inout AgentConfiguration) -> Void = { _ in }
    ) async throws -> AgentFixture {
        let broker = try await TestBroker.make(redisURL: redisURL, namespace: namespace)
        let records = try await TestRecordStore.make()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vj-agent-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let gpuState = directory.path + "/gpus.json"
        try FakeNvidiaSmi.write(.l4s(gpus), to: gpuState)
        // The checkpoint the Dream Weaver workflow names, where ComfyUI's model paths file says.
        let models = directory.appendingPathComponent("models/checkpoints")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: models.path + "/dreamweaver_staging_xl.safetensors", contents: Data())
        let extraModelPaths = directory.path + "/extra_model_paths.yaml"
        try "velocity:\n  base_path: \(directory.path)/models\n  checkpoints: checkpoints\n"
            .write(toFile: extraModelPaths, atomically: true, encoding: .utf8)
        let velocity = try VelocityBinary.path()
        let ports = try FreePorts.consecutive(gpus + 1)
        var configuration = AgentConfiguration()
        configuration.box = "box-\(broker.namespace)"
        configuration.initialMode = mode
        configuration.nvidiaSmi = [velocity, "emulator", "nvidia-smi", "--state", gpuState]
        configuration.comfyUI = BackendCommand(
            command: [
                velocity, "emulator", "comfyui", "--listen", "127.0.0.1", "--port", "{port}", "--input-directory", "{input_dir}",
                "--output-directory", "{output_dir}", "--temp-directory", "{temp_dir}", "--render-seconds", String(renderSeconds),
                "--extra-model-paths-config", extraModelPaths,
            ],
            environment: ["CUDA_VISIBLE_DEVICES": "{gpu_uuid}"])
        configuration.comfyUIBasePort = ports[0]
        configuration.llm = BackendCommand(command: [
            velocity, "emulator", "openai", "--port", "{port}", "--model", "test-llm", "--slots", "8",
        ])
        configuration.llmPort = ports[gpus]
        configuration.llmModel = "test-llm"
        configuration.workDirectory = directory.path + "/agent"
        configuration.tickMilliseconds = 50
        // Each reading spawns the emulated nvidia-smi: fast enough for the tests, light on the CPU.
        configuration.inventoryIntervalMilliseconds = 1_000
        configuration.drainDeadlineSeconds = 10
        configuration.readinessTimeoutSeconds = 30
        configuration.maxRestartBackoffSeconds = 0.5
        // A kernel log of the test's own: `appendKernelLog` writes what the driver would.
        configuration.kernelLog = directory.path + "/kmsg.log"
        _ = FileManager.default.createFile(atPath: configuration.kernelLog, contents: nil)
        configure(&configuration)
        let workflow = try await DreamWeaverWorkflow.load(
            manifestAt: Self.repositoryRoot + "/workflows/dream_weaver.manifest.json")
        return AgentFixture(
            broker: broker, records: records, store: BoxStateStore(redis: broker.pool, namespace: broker.namespace),
            blobs: try blobs ?? FileBlobStore(root: directory.appendingPathComponent("blobs")), directory: directory,
            gpuState: gpuState, configuration: configuration, workflow: workflow, http: CurlHTTPClient(), velocity: velocity)
    }

    static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    func makeAgent(logger: Logger = Logger(label: "test.agent")) -> BoxAgent {
        let broker = broker.broker
        let blobs = blobs
        let workflow = workflow
        let http = http
        return BoxAgent(
            configuration: configuration, store: store, audit: ModeSwitchLog(postgres: records.pool),
            factory: WorkerFactory(
                media: { lane in
                    [
                        MediaWorker(
                            configuration: .init(lane: lane),
                            comfyUI: ComfyUIClient(baseURL: lane.baseURL, clientID: lane.workerID, http: http), blobs: blobs,
                            broker: broker, workflow: workflow, logger: logger, activity: lane.activity)
                    ]
                },
                llm: { lane in
                    [
                        LLMDispatcher(
                            configuration: .init(workerID: lane.workerID, serverURL: lane.baseURL, model: .override(lane.model)),
                            broker: broker, logger: logger, activity: lane.activity)
                    ]
                }),
            hydrate: nil, advice: ModeAdviceReader(broker: broker), http: http, executablePath: velocity, logger: logger)
    }

    /// Runs the agent while `body` runs, then shuts it down gracefully and cleans up.
    func withAgent(logger: Logger = Logger(label: "test.agent"), _ body: (BoxAgent) async throws -> Void) async throws {
        let agent = makeAgent(logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [agent], gracefulShutdownSignals: [], logger: Logger(label: "test.agent.group")))
        var failure: (any Error)?
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try? await group.run() }
            do {
                try await body(agent)
            } catch {
                failure = error
            }
            await group.triggerGracefulShutdown()
            await tasks.waitForAll()
        }
        try? await http.shutdown()
        await broker.tearDown()
        await records.tearDown()
        try? FileManager.default.removeItem(at: directory)
        if let failure { throw failure }
    }

    /// Waits for the box to report `mode` with no switch in progress.
    func waitForMode(_ mode: BoxMode?, timeout: Duration = .seconds(60)) async throws -> BoxStatus {
        try await waitForBox("the box to reach mode \(mode?.rawValue ?? "none")", timeout: timeout) { status in
            status.mode == mode && status.switching == nil
                && (mode == nil || status.gpus.contains(where: { $0.backendState == "consuming" }))
        }
    }

    /// Waits until the box's published status meets `condition`.
    func waitForBox(_ what: String, timeout: Duration = .seconds(60), _ condition: (BoxStatus) -> Bool) async throws
        -> BoxStatus
    {
        var last: BoxStatus?
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let view = try await store.box(configuration.box) {
                last = view.status
                if condition(view.status) { return view.status }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw AgentTestFailure("timed out waiting for \(what); last status: \(String(describing: last))")
    }

    /// Submits a Dream Weaver render of a small generated image.
    func submitRender(style: String = "warm scandinavian", maxAttempts: Int = 3) async throws -> String {
        let id = JobID.make()
        var bytes: [UInt8] = []
        for y in 0..<32 { for x in 0..<32 { bytes += [UInt8(x * 8), UInt8(y * 8), 128, 255] } }
        let png = try PNGCodec.encode(PNGCodec.Pixels(width: 32, height: 32, bytes: bytes))
        try await blobs.write(png, as: "dream-weaver/\(id)/input.png")
        let payload = """
            {"input_blob":"dream-weaver/\(id)/input.png","room_type":"living_room","style":"\(style)","seed":7,\
            "image":{"format":"png","width":32,"height":32,"bytes":\(png.count)},"output_blob":"dream-weaver/\(id)/output.png"}
            """
        _ = try await broker.broker.enqueue([
            JobSubmission(id: id, kind: "dream_weaver.render", queue: "media", payload: payload, maxAttempts: maxAttempts)
        ])
        return id
    }

    func submitChat(_ text: String, priority: Int = 10) async throws -> String {
        let id = JobID.make()
        let payload = #"{"messages":[{"role":"user","content":"\#(text)"}],"max_tokens":4}"#
        _ = try await broker.broker.enqueue([
            JobSubmission(id: id, kind: "llm.chat", queue: "llm", payload: payload, priority: priority)
        ])
        return id
    }

    /// Waits until every job is terminal; returns their snapshots.
    func waitForJobs(_ ids: [String], queue: String, timeout: Duration = .seconds(90)) async throws -> [JobSnapshot] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var snapshots: [JobSnapshot] = []
            for id in ids { if let snapshot = try await broker.broker.job(queue: queue, id: id) { snapshots.append(snapshot) } }
            if snapshots.count == ids.count && snapshots.allSatisfy({ $0.state.isTerminal }) { return snapshots }
            try await Task.sleep(for: .milliseconds(100))
        }
        let states = try await broker.broker.states(queue: queue, ids: ids)
        throw AgentTestFailure("jobs did not finish: \(states.map { $0?.rawValue ?? "missing" })")
    }

    /// Appends a line to the kernel log the agent follows (as `/dev/kmsg` would show it).
    func appendKernelLog(_ line: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: configuration.kernelLog))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Waits until GPU `index` satisfies `condition` in the published status; returns it.
    func waitForGPU(_ index: Int, _ what: String, timeout: Duration = .seconds(60), _ condition: (GPUStatus) -> Bool)
        async throws -> GPUStatus
    {
        var last: GPUStatus?
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            last = try await store.box(configuration.box)?.status.gpus.first { $0.index == index }
            if let last, condition(last) { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw AgentTestFailure("GPU \(index) never \(what); last: \(String(describing: last))")
    }

    /// Edits the fake GPUs, e.g. to inject an ECC fault.
    func editGPUs(_ body: (inout FakeNvidiaSmi.State) -> Void) throws {
        var state = try FakeNvidiaSmi.load(statePath: gpuState).state
        body(&state)
        try FakeNvidiaSmi.write(state, to: gpuState)
    }
}

struct AgentTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
