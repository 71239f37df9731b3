import ArgumentParser
import BlobStore
import Broker
import CurlClient
import Emulators
import Foundation
import GPUBox
import Gateway
import JobContracts
import Logging
import PlatformStore
import PostgresClient
import ServiceLifecycle
import VelocityTypes
import Workers

/// The emulated box of `bench/run box-day` and its day: an in-process agent (emulated ComfyUIs
/// and an emulated LLM server whose slots scale with its GPUs), the submitter of the day's
/// arrivals, the promoter of late batches, and a sampler of idle GPUs.
struct BoxDayRig {
    let box: String
    let policy: String
    let gpus: Int
    let agent: BoxAgent
    let store: BoxStateStore
    let broker: RedisBroker
    let blobs: FileBlobStore
    let postgres: PostgresPool
    let http: CurlHTTPClient
    let logger: Logger

    static func make(
        box: String, policy: String, gpus: Int, renderSeconds: Double, tokensPerSecondPerGPU: Double, lineTokens: Int,
        workDirectory: String, connection: ConnectionOptions, postgresURL: String, logger: Logger
    ) async throws -> BoxDayRig {
        try? FileManager.default.removeItem(atPath: workDirectory)
        try FileManager.default.createDirectory(atPath: workDirectory + "/models/checkpoints", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: workDirectory + "/models/checkpoints/dreamweaver_staging_xl.safetensors", contents: Data())
        try "bench:\n  base_path: \(workDirectory)/models\n  checkpoints: checkpoints\n"
            .write(toFile: workDirectory + "/extra_model_paths.yaml", atomically: true, encoding: .utf8)
        let state = workDirectory + "/gpus.json"
        try FakeNvidiaSmi.write(.l4s(gpus), to: state)
        let executable = AgentCommand.executablePath()
        var settings = try EmulatedBox.settings(
            box: box, mode: BoxMode(rawValue: policy) ?? .media, executable: executable, gpuState: state,
            workDirectory: workDirectory + "/agent", renderSeconds: renderSeconds, llmSlots: 1, comfyUIBasePort: 18388,
            llmPort: 18380, hydration: nil)
        // One decode slot per GPU of the server: llm mode serves twice what split does, as tensor
        // parallelism over twice the GPUs would.
        settings.llm = BackendCommand(command: [
            "{velocity}", "emulator", "openai", "--port", "{port}", "--model", "velocity-dev-llm", "--slots", "{tp}",
            "--tokens-per-second", String(tokensPerSecondPerGPU),
        ])
        settings.tickMilliseconds = 100
        settings.autopilotIntervalMilliseconds = 500
        let broker = try await connection.makeBroker(recordOutbox: false)
        let postgres = PostgresPool(url: postgresURL, maxConnections: 4)
        let blobs = try FileBlobStore(root: URL(fileURLWithPath: workDirectory + "/blobs"))
        let http = CurlHTTPClient()
        let workflows = try await WorkflowCatalog.load(manifestsAt: ["workflows/dream_weaver.manifest.json"])
        let llmKinds = LLMKindStores(
            qdScores: QDScoreStore(postgres: postgres), syntheticJobs: SyntheticJobStore(postgres: postgres),
            qdPrompt: try QDScorePrompt.load(from: "prompts"))
        let store = BoxStateStore(redis: broker.pool, namespace: connection.namespace)
        // What an operator configures for this box: its LLM lines per second per GPU.
        let costs = ModeAdvisor.Costs(
            renderSeconds: renderSeconds, llmLinesPerSecondPerGPU: tokensPerSecondPerGPU / Double(lineTokens))
        let models = BoxAgent.HydratedModels(extraModelPaths: workDirectory + "/extra_model_paths.yaml", llmModelPath: "")
        let agent = BoxAgent(
            configuration: settings, store: store, audit: ModeSwitchLog(postgres: postgres),
            factory: AgentCommand.workerFactory(
                broker: broker, blobs: blobs, workflows: workflows, http: http, llmKinds: llmKinds, logger: logger),
            hydrate: { _ in models }, advice: ModeAdviceReader(broker: broker, costs: costs), http: http,
            executablePath: executable, logger: logger)
        return BoxDayRig(
            box: box, policy: policy, gpus: gpus, agent: agent, store: store, broker: broker, blobs: blobs,
            postgres: postgres, http: http, logger: logger)
    }

    /// Runs the day, then stops the box; its figures.
    func run(_ plan: BoxDayPlan, daySeconds: Double, seed: UInt64) async throws -> BoxDayOutcome {
        var random = SplitMix64(seed: seed)
        let renders = try await BenchRenders.make(
            Array(repeating: DreamWeaverRender.defaultWorkflow, count: plan.renders.count), imageWidth: 64,
            photoBytes: 200_000...400_000, random: &random, blobs: blobs)
        let batches = plan.batches.map { batch in
            (0..<batch.lines).map { n in
                JobSubmission(
                    kind: LLMChat.kind.name, queue: "llm", tenant: "batches",
                    payload: #"{"messages":[{"role":"user","content":"line \#(n) of \#(batch.name)"}],"max_tokens":16}"#,
                    priority: LLMBatchLine.kind.defaultPriority, parentBatch: "\(box)-\(batch.name)")
            }
        }
        if policy == "autopilot" {
            // Hysteresis for a day compressed ~600 times: 10 s of dwell is over an hour of a real day.
            try await store.setAutopilot(
                AutopilotSetting(
                    enabled: true, minDwellSeconds: 10, minGainSeconds: 5, confirmSeconds: 2, changedBy: "bench",
                    changedAtMilliseconds: Int(Date().timeIntervalSince1970 * 1000)),
                box: box)
        }
        let group = ServiceGroup(configuration: .init(services: [agent], gracefulShutdownSignals: [], logger: logger))
        let outcome = try await withThrowingTaskGroup(of: Void.self) { tasks -> BoxDayOutcome in
            tasks.addTask { try await group.run() }
            try await waitUntilServing()
            let start = ContinuousClock.now
            let epoch = Date().timeIntervalSince1970
            let broker = broker
            tasks.addTask {
                var events: [(at: Double, jobs: [JobSubmission], due: Double?)] = zip(plan.renders, renders).map {
                    ($0, [$1], nil)
                }
                events += zip(plan.batches, batches).map { ($0.submittedAt, $1, $0.deadline) }
                for event in events.sorted(by: { $0.at < $1.at }) {
                    try await Task.sleep(until: start + .milliseconds(Int(event.at * 1000)))
                    _ = try await broker.enqueue(event.jobs)
                    // As the gateway's coordinator does once a batch's lines are queued.
                    if let due = event.due, let parent = event.jobs.first?.parentBatch {
                        try await broker.setBatchWindow(
                            queue: "llm", parent: parent, dueMilliseconds: Int((epoch + due) * 1000))
                    }
                }
            }
            var meter = BoxDayMeter(gpus: gpus)
            var promoted: Set<String> = []
            var lastPromotion = ContinuousClock.now
            let limit = start + .milliseconds(Int((daySeconds + 30) * 1000))
            let all = renders.count + batches.map(\.count).reduce(0, +)
            while ContinuousClock.now < limit {
                try await Task.sleep(for: .milliseconds(250))
                let depths = [try await broker.depth(queue: "media"), try await broker.depth(queue: "llm")]
                meter.sample(try await store.box(box)?.status, waiting: depths.map(\.queued).reduce(0, +))
                if lastPromotion.duration(to: .now) >= .seconds(1) {
                    lastPromotion = .now
                    try await promote(plan, batches, epoch: epoch, start: start, promoted: &promoted)
                }
                let ended = depths.map { $0.succeededTotal + $0.failedTotal + $0.deadTotal }.reduce(0, +)
                if ContinuousClock.now - start > .milliseconds(Int(daySeconds * 900)), ended >= all { break }
            }
            let wall = (ContinuousClock.now - start).inSeconds
            var outcome = try await BoxDayOutcome.read(
                renders: renders.map(\.id), plan: plan, batches: batches, epoch: epoch, wall: wall, meter: meter,
                broker: broker, switches: try await switchesMade(epoch: epoch))
            // What the agent measured of its LLM server (the advice's figure once there is one).
            if let served = try await store.box(box)?.status.llmThroughput {
                outcome.json["llm_lines_per_second_per_gpu_measured"] = served.linesPerSecondPerGPU
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return outcome
        }
        try? await http.shutdown()
        await postgres.close()
        await broker.pool.close()
        return outcome
    }

    /// As the gateway's coordinator does for OpenAI batches: a batch whose open lines would not
    /// end well inside its window at its pace leaves the backfill band, once.
    private func promote(
        _ plan: BoxDayPlan, _ batches: [[JobSubmission]], epoch: Double, start: ContinuousClock.Instant,
        promoted: inout Set<String>
    ) async throws {
        let elapsed = (ContinuousClock.now - start).inSeconds
        for (batch, jobs) in zip(plan.batches, batches) where batch.submittedAt <= elapsed && !promoted.contains(batch.name) {
            let parent = "\(box)-\(batch.name)"
            let counts = try await broker.batchCounts(queue: "llm", parents: [parent])[parent] ?? BatchStateCounts()
            let window = BatchWindow.assess(
                total: batch.lines, ended: counts.succeeded + counts.failed + counts.canceled + counts.dead,
                startedAt: epoch + batch.submittedAt, expiresAt: epoch + batch.deadline, now: epoch + elapsed,
                promoted: false)
            guard window.promote else { continue }
            let priority = BatchWindow.promotionPriority(secondsLeft: batch.deadline - elapsed)
            _ = try await broker.reprioritize(queue: "llm", ids: jobs.map(\.id), priority: priority)
            promoted.insert(batch.name)
        }
    }

    private func waitUntilServing() async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let status = try await store.box(box)?.status, status.mode != nil, status.switching == nil,
                status.gpus.contains(where: { $0.backendState == "consuming" })
            {
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ValidationError("the box did not start serving")
    }

    /// Switches after the first start, from the audit trail: the mode each went to, and when it
    /// started and ended (seconds into the day).
    private func switchesMade(epoch: Double) async throws -> [[String: Any]] {
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT to_mode, extract(epoch FROM started_at)::float8 AS started,
                       extract(epoch FROM finished_at)::float8 AS finished
                FROM box_mode_switches WHERE box = $1 AND from_mode IS NOT NULL AND outcome = 'switched'
                ORDER BY started_at
                """,
                [box])
        }
        return rows.map { row in
            func at(_ name: String) -> Double { ((row[name].flatMap { Double($0) } ?? epoch) - epoch) }
            return ["to": row["to_mode"] ?? "", "started_s": at("started"), "finished_s": at("finished")]
        }
    }
}
