import ArgumentParser
import Broker
import CurlClient
import Emulators
import Foundation
import GPUBox
import Logging
import ServiceLifecycle
import Workers

/// Our side of `bench/run mode-switch`: an agent with emulated GPUs switches media → llm →
/// split → media, `--cycles` times; each switch's time, from the request to its last step, is read from the audit trail, and
/// its overhead is the switch time minus the time its new backends took to start and pass
/// their health check (start_backends started → health_check succeeded). Prints one JSON line.
struct ModeSwitchBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mode-switch", abstract: "Measure mode switches of an emulated box (run through bench/run).")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Emulated GPUs.")
    var gpus: Int = 4

    @Option(help: "Rounds of media → llm → split → media.")
    var cycles: Int = 3

    @Option(help: "Scratch directory.")
    var workDirectory: String = "/tmp/velocity-bench-mode-switch"

    func run() async throws {
        var logger = Logger.velocity("bench")
        logger.logLevel = .warning
        guard let postgresURL = connection.resolvedPostgresURL else { throw ValidationError("--postgres-url is required") }
        try? FileManager.default.removeItem(atPath: workDirectory)
        try FileManager.default.createDirectory(atPath: workDirectory + "/models/checkpoints", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: workDirectory + "/models/checkpoints/dreamweaver_staging_xl.safetensors", contents: Data())
        try "bench:\n  base_path: \(workDirectory)/models\n  checkpoints: checkpoints\n"
            .write(toFile: workDirectory + "/extra_model_paths.yaml", atomically: true, encoding: .utf8)
        let state = workDirectory + "/gpus.json"
        try FakeNvidiaSmi.write(.l4s(gpus), to: state)
        let executable = AgentCommand.executablePath()
        let box = "bench-\(UUID().uuidString.prefix(6).lowercased())"
        let settings = try EmulatedBox.settings(
            box: box, mode: .media, executable: executable, gpuState: state, workDirectory: workDirectory + "/agent",
            renderSeconds: 1, llmSlots: 8, comfyUIBasePort: 18188, llmPort: 18100, hydration: nil)
        let models = BoxAgent.HydratedModels(extraModelPaths: workDirectory + "/extra_model_paths.yaml", llmModelPath: "")
        let broker = try await connection.makeBroker(recordOutbox: false)
        let postgres = PostgresPool(url: postgresURL, maxConnections: 2)
        let audit = ModeSwitchLog(postgres: postgres)
        let store = BoxStateStore(redis: broker.pool, namespace: connection.namespace)
        let http = CurlHTTPClient()
        // No workers: the switch itself is measured, not job throughput.
        let factory = WorkerFactory(media: { _ in [] }, llm: { _ in [] })
        let agent = BoxAgent(
            configuration: settings, store: store, audit: audit, factory: factory, hydrate: { _ in models }, http: http,
            executablePath: executable, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [agent], gracefulShutdownSignals: [.sigint], logger: logger))
        var samples: [Sample] = []
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await waitFor(store, box: box, mode: .media)
            for _ in 0..<cycles {
                for mode in [BoxMode.llm, .split, .media] {
                    let request = ModeRequest(box: box, mode: mode, requestedBy: "bench")
                    try await store.request(request)
                    try await waitFor(store, box: box, mode: mode)
                    samples.append(try await sample(request, audit: postgres))
                }
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        try? await http.shutdown()
        await postgres.close()
        await broker.pool.close()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(samples), as: UTF8.self))
    }

    struct Sample: Encodable {
        var from: String?
        var to: String
        var switch_s: Double
        var backend_start_s: Double
        var overhead_s: Double
        var steps_s: [String: Double]
    }

    private func waitFor(_ store: BoxStateStore, box: String, mode: BoxMode) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let status = try await store.box(box)?.status, status.mode == mode, status.switching == nil { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ValidationError("the box did not reach \(mode) mode")
    }

    /// Times from the audit trail: each step's start and end as Postgres recorded them.
    private func sample(_ request: ModeRequest, audit: PostgresPool) async throws -> Sample {
        let rows = try await audit.withConnection { connection in
            try await connection.query(
                """
                SELECT s.from_mode, e.step, e.status,
                       extract(epoch FROM e.at - s.requested_at)::float8 AS t
                FROM box_mode_switch_events e JOIN box_mode_switches s ON s.id = e.switch_id
                WHERE e.switch_id = $1 ORDER BY e.seq
                """, [request.id])
        }
        var starts: [String: Double] = [:]
        var ends: [String: Double] = [:]
        for row in rows {
            guard let step = row["step"], let t = row["t"].flatMap(Double.init) else { continue }
            if row["status"] == "started" { starts[step] = t } else { ends[step] = t }
        }
        let total = ends.values.max() ?? 0
        let backendStart = (ends["health_check"] ?? 0) - (starts["start_backends"] ?? 0)
        var steps: [String: Double] = [:]
        for (step, start) in starts { steps[step] = ((ends[step] ?? start) - start) }
        return Sample(
            from: rows.first?["from_mode"], to: request.mode.rawValue, switch_s: total, backend_start_s: backendStart,
            overhead_s: total - backendStart, steps_s: steps)
    }
}
