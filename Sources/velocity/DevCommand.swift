import ArgumentParser
import CurlClient
import Emulators
import Foundation
import GPUBox
import Gateway
import JobContracts
import Logging
import PlatformStore
import ServiceLifecycle
import Workers

/// `velocity dev`: the whole stack on one machine — Redis and PostgreSQL (ops/services.sh),
/// four emulated GPUs with an emulated ComfyUI per GPU and an emulated OpenAI-compatible
/// server, the box agent and the gateway — with an operator API key printed to use it.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run the whole stack locally with emulated GPUs (run from the repository root).",
        discussion: """
            Redis and PostgreSQL keep running after it exits (stop them with ops/services.sh stop .run/dev). \
            Backend logs are under <run-dir>/agent/<backend>/backend.log; the fake GPUs' state (edit it to \
            inject faults) is <run-dir>/gpus.json.
            """)

    @Option(help: "Where the stack keeps its state.")
    var runDirectory: String = ".run/dev"

    @Option(help: "Redis port.")
    var redisPort: Int = 6390

    @Option(help: "PostgreSQL port.")
    var postgresPort: Int = 5440

    @Option(help: "Gateway port (default: 8080, or the first free port after it).")
    var port: Int?

    @Option(help: "First port of the emulated ComfyUIs, one per GPU (default: 8188, or the first free range after it).")
    var comfyuiPort: Int?

    @Option(help: "Port of the emulated LLM server (default: 30000, or the first free port after it).")
    var llmPort: Int?

    @Option(help: "Emulated GPUs.")
    var gpus: Int = 4

    @Option(help: "The box's first mode: media, llm or split.")
    var mode: String = "media"

    @Option(help: "Seconds one emulated render takes.")
    var renderSeconds: Double = 3

    @Option(help: "Concurrent decode slots of the emulated LLM server.")
    var llmSlots: Int = 16

    @Option(help: "The LLM server the emulator imitates: sglang, vllm or llamacpp.")
    var llmFlavor: String = "sglang"

    func validate() throws {
        guard BoxMode(rawValue: mode) != nil else { throw ValidationError("--mode must be media, llm or split") }
        guard (1...16).contains(gpus) else { throw ValidationError("--gpus must be from 1 to 16") }
        for (option, value) in [("--port", port), ("--comfyui-port", comfyuiPort), ("--llm-port", llmPort)] {
            if let value, !(1...65_535).contains(value) { throw ValidationError("\(option) must be from 1 to 65535") }
        }
        guard renderSeconds > 0 else { throw ValidationError("--render-seconds must be positive") }
        guard llmSlots > 0 else { throw ValidationError("--llm-slots must be positive") }
        guard OpenAIEmulatorConfiguration.Flavor(rawValue: llmFlavor) != nil else {
            throw ValidationError("--llm-flavor must be sglang, vllm or llamacpp")
        }
    }

    func run() async throws {
        let logger = Logger.velocity("dev")
        let root = FileManager.default.currentDirectoryPath
        let runDirectory = URL(fileURLWithPath: self.runDirectory, relativeTo: URL(fileURLWithPath: root + "/"))
            .standardizedFileURL.path
        for required in [
            "ops/services.sh", "workflows/dream_weaver.manifest.json", "hydration/dev/media.yaml", "prompts/qd_score.md",
        ]
        where !FileManager.default.fileExists(atPath: required) {
            throw ValidationError("\(required) not found: run velocity dev from the repository root")
        }
        // Before anything starts: a fixed port that is taken stops the command here, naming who holds it.
        let ports = try DevPorts.choose(gateway: port, comfyUIBase: comfyuiPort, llm: llmPort, gpus: gpus)
        // First, before the logs: where to look once it is up.
        print("Velocity Jobs dashboard: http://127.0.0.1:\(ports.gateway)/  (starting; the operator key follows)")
        fflush(nil)
        try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
        try await startServices(runDirectory)
        let redisURL = "redis://127.0.0.1:\(redisPort)"
        let postgresURL = "postgresql://velocity@127.0.0.1:\(postgresPort)/velocity"

        var gatewayConfiguration = GatewayConfiguration()
        gatewayConfiguration.host = "127.0.0.1"
        gatewayConfiguration.port = ports.gateway
        gatewayConfiguration.redisURL = redisURL
        gatewayConfiguration.postgresURL = postgresURL
        gatewayConfiguration.blobDirectory = runDirectory + "/blobs"
        let tracing = try TracingExport.start(service: "velocity-dev")
        let gateway = try await Gateway.connect(gatewayConfiguration, logger: Logger.velocity("gateway"))
        let key = try await gateway.keys.create(tenant: "dev", role: .operator).token

        let state = runDirectory + "/gpus.json"
        if !FileManager.default.fileExists(atPath: state) {
            try FakeNvidiaSmi.write(.l4s(gpus), to: state)
        }
        let executable = AgentCommand.executablePath()
        let agentConfiguration = try agentSettings(runDirectory: runDirectory, state: state, executable: executable, ports: ports)
        let workflows = try await WorkflowCatalog.load(manifestsAt: ["workflows/dream_weaver.manifest.json"])
        let broker = gateway.broker
        let http = CurlHTTPClient()
        let llmKinds = LLMKindStores(
            qdScores: QDScoreStore(postgres: gateway.postgres), syntheticJobs: SyntheticJobStore(postgres: gateway.postgres),
            qdPrompt: try QDScorePrompt.load(from: "prompts"))
        let agent = BoxAgent(
            configuration: agentConfiguration, store: gateway.boxes, audit: ModeSwitchLog(postgres: gateway.postgres),
            factory: AgentCommand.workerFactory(
                broker: broker, blobs: gateway.blobs, workflows: workflows, http: http, llmKinds: llmKinds,
                logger: Logger.velocity("workers")),
            hydrate: agentConfiguration.hydration.map { AgentCommand.hydrate($0, logger: Logger.velocity("hydrate")) },
            advice: ModeAdviceReader(broker: broker), http: http, executablePath: executable, logger: Logger.velocity("agent"))

        printBanner(key: key, runDirectory: runDirectory, redisURL: redisURL, postgresURL: postgresURL, ports: ports)
        let binDirectory = URL(fileURLWithPath: executable).deletingLastPathComponent().path
        try """
        export PATH=\(binDirectory):$PATH
        export VELOCITY_GATEWAY_URL=http://127.0.0.1:\(ports.gateway)
        export VELOCITY_DASHBOARD_URL=http://127.0.0.1:\(ports.gateway)/
        export VELOCITY_API_KEY=\(key)
        export VELOCITY_DEV_COMFYUI_PORTS=\(ports.comfyUI.lowerBound)-\(ports.comfyUI.upperBound)
        export VELOCITY_DEV_LLM_PORT=\(ports.llm)
        export VELOCITY_REDIS_URL=\(redisURL)
        export VELOCITY_POSTGRES_URL=\(postgresURL)

        """.write(toFile: runDirectory + "/client.env", atomically: true, encoding: .utf8)
        // The CPU queue's worker: CRM imports run here.
        var cpuKinds = JobRouter()
        cpuKinds.register(
            CRMImportProcessor(
                store: CRMImportStore(postgres: gateway.postgres), blobs: gateway.blobs, logger: Logger.velocity("crm")))
        let cpuWorker = QueueWorker(
            configuration: .init(queue: JobKind.crmImport.queue, workerID: "dev-cpu", concurrency: 2),
            broker: broker, handler: cpuKinds, logger: Logger.velocity("cpu"))
        let group = ServiceGroup(
            configuration: .init(
                services: (tracing.map { [ServiceGroupConfiguration.ServiceConfiguration(service: $0)] } ?? []) + [
                    .init(service: gateway.makeApplication()), .init(service: agent), .init(service: cpuWorker),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            logger.error("stack stopped: \(error)")
        }
        try? await http.shutdown()
        await gateway.close()
    }

    /// Starts Redis and PostgreSQL with `ops/services.sh`, waiting for it with a reaper thread
    /// of its own (Foundation's `Process` termination handler never fires in an async command
    /// on Linux, which left `velocity dev` waiting forever after "services up").
    private func startServices(_ runDirectory: String) async throws {
        try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
        let log = runDirectory + "/services.log"
        let process = try BackendProcess.start(
            name: "services",
            command: [
                "/bin/bash", "ops/services.sh", "start", runDirectory, "--redis-port", String(redisPort),
                "--postgres-port", String(postgresPort),
            ], environment: [:], logPath: log)
        let status = await process.waitForExit()
        guard status == 0 else {
            let tail = LogTail.lines(ofFileAt: log, count: 15).joined(separator: "\n")
            throw ValidationError("ops/services.sh could not start Redis and PostgreSQL (status \(status)):\n\(tail)")
        }
    }

    func agentSettings(runDirectory: String, state: String, executable: String, ports: DevPorts) throws -> AgentConfiguration {
        try EmulatedBox.settings(
            box: "dev-box", mode: BoxMode(rawValue: mode) ?? .media, executable: executable, gpuState: state,
            workDirectory: runDirectory + "/agent", renderSeconds: renderSeconds, llmSlots: llmSlots,
            llmFlavor: OpenAIEmulatorConfiguration.Flavor(rawValue: llmFlavor) ?? .sglang, comfyUIBasePort: ports.comfyUIBase,
            llmPort: ports.llm, hydration: .init(manifests: "hydration/dev", root: runDirectory + "/models"))
    }

    private func printBanner(key: String, runDirectory: String, redisURL: String, postgresURL: String, ports: DevPorts) {
        let base = "http://127.0.0.1:\(ports.gateway)"
        let moved = ports.moved.map { "  note: \($0)\n" }.joined()
        print(
            """

            Dashboard: \(base)/   (sign in with the operator key below)

            Velocity Jobs dev stack (\(gpus) emulated NVIDIA L4s, box dev-box, starting in \(mode) mode)
            \(moved)  gateway      \(base)
              ComfyUIs     127.0.0.1:\(ports.comfyUI.lowerBound)-\(ports.comfyUI.upperBound) (emulated)
              LLM server   127.0.0.1:\(ports.llm) (emulated \(llmFlavor))
              GPUs         \(base)/v1/gpus
              queues       \(base)/v1/queues
              metrics      \(base)/metrics
              API docs     \(base)/openapi.json
              Redis        \(redisURL)
              PostgreSQL   \(postgresURL)
              operator key \(key)

            In another shell:
              source \(runDirectory)/client.env
              velocity submit dream-weaver room.jpg --room living_room --style "warm scandinavian" --wait -o staged.png
              velocity submit llm-batch prompts.jsonl --wait -o results.jsonl
              velocity mode split --wait
              velocity submit crm-import Tests/CRMImportTests/Fixtures/hubspot_contacts.csv --wait
              velocity crm imports approve <batch> --min-confidence 0.9 --without-candidates
              velocity crm imports commit <batch> --wait
            Ctrl-C drains and stops the stack.

            """)
        // Standard output may be a file or a pipe: the banner must not wait for the buffer.
        fflush(nil)
    }
}
