import ArgumentParser
import BlobStore
import Broker
import CurlClient
import Foundation
import GPUBox
import Hydration
import Logging
import PlatformStore
import ServiceLifecycle
import Workers
import Yams

/// `velocity agent`: the box agent — GPUs, backends, mode switches and the workers.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the GPU box agent: backends per mode, one media worker per GPU, the LLM dispatcher.",
        discussion: """
            The YAML file (--config) holds the box's settings (snake_case keys of AgentConfiguration: box, \
            initial_mode, nvidia_smi, comfyui {command, environment}, comfyui_base_port, llm {command, \
            environment}, llm_port, llm_model, work_directory, hydration {manifests, root}, tick_ms, \
            drain_deadline_seconds, readiness_timeout_seconds, recycle_after_jobs, …); see ops/config/agent.yaml.
            """)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "YAML file of agent settings.")
    var config: String?

    @Option(help: "The box id (overrides the file).")
    var box: String?

    @OptionGroup var blobStore: BlobStoreOptions

    @Option(
        help: """
            A Dream Weaver workflow manifest; repeatable, the first is the default of jobs that name none \
            (default: $VELOCITY_WORKFLOW, comma-separated, or workflows/dream_weaver.manifest.json).
            """)
    var workflow: [String] = []

    @Option(help: "The directory of the LLM job kinds' prompt templates (default: $VELOCITY_PROMPTS or prompts).")
    var prompts: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var settings = try Self.load(config)
        if let box { settings.box = box }
        try settings.validate()
        let logger = Logger.velocity("agent")
        guard let postgresURL = connection.resolvedPostgresURL else {
            throw ValidationError("the agent needs Postgres (--postgres-url or VELOCITY_POSTGRES_URL) for its audit trail")
        }
        let workflowPaths =
            !workflow.isEmpty
            ? workflow
            : environment["VELOCITY_WORKFLOW"].map { $0.split(separator: ",").map(String.init) }
                ?? ["workflows/dream_weaver.manifest.json"]
        let dreamWeaver = try await WorkflowCatalog.load(manifestsAt: workflowPaths)
        let broker = try await connection.makeBroker(recordOutbox: true)
        let postgres = PostgresPool(url: postgresURL, maxConnections: 2)
        let qdPrompt = try QDScorePrompt.load(from: prompts ?? environment["VELOCITY_PROMPTS"] ?? "prompts")
        // The LLM kinds' tables get their own pool: a burst of scores must not wait behind the audit trail.
        let platform = PostgresPool(url: postgresURL, maxConnections: 4)
        let llmKinds = LLMKindStores(
            qdScores: QDScoreStore(postgres: platform), syntheticJobs: SyntheticJobStore(postgres: platform),
            qdPrompt: qdPrompt)
        try await PlatformMigrations.migrate(platform)
        let http = CurlHTTPClient()
        // Shared with the gateway: a directory on one machine, S3 when the box has its own.
        let blobs = try blobStore.open(environment: environment, http: http)
        let factory = Self.workerFactory(
            broker: broker, blobs: blobs, workflows: dreamWeaver, http: http, llmKinds: llmKinds, logger: logger)
        let agent = BoxAgent(
            configuration: settings, store: BoxStateStore(redis: broker.pool, namespace: connection.namespace),
            audit: ModeSwitchLog(postgres: postgres), factory: factory,
            hydrate: settings.hydration.map { Self.hydrate($0, logger: logger) }, advice: ModeAdviceReader(broker: broker),
            http: http, executablePath: Self.executablePath(), logger: logger)
        let tracing = try TracingExport.start(service: "velocity-agent")
        let group = ServiceGroup(
            configuration: .init(
                services: (tracing.map { [$0] } ?? []) + [agent], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.info("agent \(settings.box) starting (initial mode \(settings.initialMode))")
        do {
            try await group.run()
        } catch {
            logger.error("agent stopped: \(error)")
        }
        try? await http.shutdown()
        await postgres.close()
        await platform.close()
        await broker.pool.close()
    }

    static func workerFactory(
        broker: RedisBroker, blobs: any BlobStore, workflows: WorkflowCatalog, http: CurlHTTPClient,
        llmKinds: LLMKindStores, logger: Logger
    ) -> WorkerFactory {
        WorkerFactory(
            media: { lane in
                let client = ComfyUIClient(baseURL: lane.baseURL, clientID: lane.workerID, http: http)
                return [
                    MediaWorker(
                        configuration: .init(lane: lane), comfyUI: client, blobs: blobs, broker: broker,
                        workflows: workflows, logger: logger, activity: lane.activity)
                ]
            },
            llm: { lane in
                [
                    LLMDispatcher(
                        configuration: .init(workerID: lane.workerID, serverURL: lane.baseURL, model: .override(lane.model)),
                        broker: broker, logger: logger, activity: lane.activity,
                        routes: { llmKinds.routes($0, workerID: lane.workerID) })
                ]
            })
    }

    static func hydrate(_ settings: AgentConfiguration.HydrationSettings, logger: Logger) -> BoxAgent.Hydrate {
        { mode in
            let configuration = HydrationConfiguration(root: settings.root, manifestDirectory: settings.manifests, logger: logger)
            let report = try await Hydrator.withHydrator(configuration) { hydrator in
                try await hydrator.hydrate(mode: mode.rawValue) { _ in }
            }
            logger.info("hydrated \(mode): \(report.models.count) models, \(report.fetchedBytes) bytes fetched")
            return BoxAgent.HydratedModels(extraModelPaths: report.extraModelPathsFile, llmModelPath: report.llmModelPath ?? "")
        }
    }

    static func load(_ path: String?) throws -> AgentConfiguration {
        guard let path else { return AgentConfiguration() }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read agent configuration \(path)")
        }
        do {
            return try YAMLDecoder().decode(AgentConfiguration.self, from: text)
        } catch let error as AgentError {
            throw ValidationError("\(path): \(error.message)")
        } catch {
            throw ValidationError("\(path): \(error)")
        }
    }

    /// This executable, for backend commands that run `{velocity} emulator …`.
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
