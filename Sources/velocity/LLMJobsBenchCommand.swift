import ArgumentParser
import Broker
import CurlClient
import Foundation
import JobContracts
import Logging
import PlatformStore
import Producer
import Workers

/// `velocity bench llm-jobs`: `qd.score` jobs through the LLM dispatcher against a running
/// OpenAI-compatible server (the emulator, answering some share of them broken), driven by
/// bench/run llm-jobs. Prints one JSON line: the share of jobs that ended with a valid
/// bundle, LLM calls per valid bundle (from each bundle's provenance), and how busy the
/// server's slots were while the jobs flowed (its `busy_slot_seconds` between 10% and 90%
/// of the jobs done, over slots × that time).
struct LLMJobsBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm-jobs", abstract: "One run of qd.score jobs against an OpenAI-compatible server (used by bench/run llm-jobs).")

    @Option(help: "Redis URL.") var redisURL: String
    @Option(help: "PostgreSQL URL (intel_qd_scores is created there).") var postgresURL: String
    @Option(help: "The LLM server's root URL (the emulator: its stats give the saturation).") var serverURL: String
    @Option(help: "qd.score jobs to run.") var jobs: Int = 2000
    @Option(help: "The directory of prompts/qd_score.md.") var prompts: String = "prompts"
    @Option(help: "AIMD window ceiling.") var ceiling: Int = 256

    func run() async throws {
        var logger = Logger.velocity("bench.llm-jobs")
        logger.logLevel = .warning
        let namespace = "bench-llmjobs-" + UUID().uuidString.prefix(8).lowercased()
        let pool = try await RedisPool.connect(RedisConfiguration(url: redisURL), size: 4)
        let broker = RedisBroker(pool: pool, configuration: RedisBrokerConfiguration(namespace: namespace))
        let producer = JobProducer(broker: broker, store: nil)
        let postgres = PostgresPool(url: postgresURL, maxConnections: 8)
        let stores = LLMKindStores(
            qdScores: QDScoreStore(postgres: postgres), syntheticJobs: SyntheticJobStore(postgres: postgres),
            qdPrompt: try QDScorePrompt.load(from: prompts))
        try await PlatformMigrations.migrate(postgres)
        let slots = try await LLMBenchCommand.capacity(serverURL: serverURL, maxTokens: 64).slots
        let dispatcher = LLMDispatcher(
            configuration: .init(
                workerID: "bench-llm-jobs", serverURL: serverURL, model: .override("bench"),
                window: AIMDWindow.Configuration(ceiling: ceiling, initial: 4), metricsInterval: .milliseconds(100),
                claimBatch: 64, claimWait: .milliseconds(500)),
            broker: broker, logger: logger, routes: { stores.routes($0, workerID: "bench-llm-jobs") })

        let figures = try await withThrowingTaskGroup(of: [String: Double]?.self) { group in
            group.addTask {
                try await dispatcher.run()
                return nil
            }
            defer { group.cancelAll() }
            let requests = try (0..<jobs).map { n in
                JobRequest(kind: QDScore.kind.name, payload: try .typed(QDScore.self, Self.packet(n)))
            }
            let started = ContinuousClock.now
            let ids = try await producer.submit(requests).map(\.id)
            var marks: [(at: ContinuousClock.Instant, busy: Double)] = []
            var states: [JobState?] = []
            while true {
                states = []
                for chunk in stride(from: 0, to: ids.count, by: 500) {
                    states += try await broker.states(queue: "llm", ids: Array(ids[chunk..<min(chunk + 500, ids.count)]))
                }
                let ended = states.filter { $0?.isTerminal == true }.count
                let due = marks.count == 0 ? jobs / 10 : jobs * 9 / 10
                if marks.count < 2 && ended >= due { marks.append((.now, try await Self.busySeconds(serverURL))) }
                if ended == jobs { break }
                guard started.duration(to: .now) < .seconds(900) else { throw ValidationError("jobs did not end in 900 s") }
                try await Task.sleep(for: .milliseconds(50))
            }
            let elapsed = started.duration(to: .now) / .seconds(1)
            var calls = 0
            var valid = 0
            var codes: [String: Double] = [:]
            for id in ids {
                guard let job = try await broker.job(queue: "llm", id: id) else { continue }
                if job.state == .succeeded, let text = job.result,
                    let bundle = try? JSONDecoder().decode(QDSignalBundle.self, from: Data(text.utf8))
                {
                    valid += 1
                    calls += Int(bundle.metadata.provenance["llm_calls"]?.intValue ?? 1)
                } else {
                    codes[job.errorCode ?? job.state.rawValue, default: 0] += 1
                }
            }
            let window = marks.count == 2 ? marks[0].at.duration(to: marks[1].at) / .seconds(1) : elapsed
            let busy = marks.count == 2 ? marks[1].busy - marks[0].busy : 0
            var figures: [String: Double] = [
                "jobs": Double(jobs), "valid": Double(valid), "valid_share": Double(valid) / Double(jobs),
                "calls_per_valid": valid > 0 ? Double(calls) / Double(valid) : 0,
                "saturation": window > 0 ? busy / (Double(slots) * window) : 0,
                "jobs_per_s": Double(jobs) / elapsed, "seconds": elapsed, "slots": Double(slots),
            ]
            for (code, count) in codes { figures["failed_" + code] = count }
            return figures
        }
        let data = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
        _ = try? await postgres.withConnection { try await $0.query("TRUNCATE intel_qd_scores") }
        await LLMBenchCommand.clean(pool, namespace: namespace)
        await postgres.close()
        await pool.close()
    }

    /// A showroom packet of 8 to 20 readings, different for each `n`.
    static func packet(_ n: Int) -> PerceptionPacket {
        let names = ["smile_intensity", "brow_furrow", "eye_widen", "lip_press", "head_nod", "gaze_away"]
        let count = 8 + n % 13
        let signals = (0..<count).map { (i: Int) -> PerceptionPacket.Signal in
            let value: Double = Double((n * 31 + i * 17) % 101) / 100
            return PerceptionPacket.Signal(t_ms: i * 250, name: names[(n + i) % names.count], value: value)
        }
        return PerceptionPacket(
            person_id: "bench-person-\(n % 97)", lead_id: "bench-lead-\(n)", session_id: "bench-session-\(n)", consent: true,
            signals: signals, scene: .init(video_asset_id: "vid-\(n % 5)", timestamp_ms: n * 1_000))
    }

    static func busySeconds(_ serverURL: String) async throws -> Double {
        try await CurlHTTPClient.withClient { curl in
            let response = try await curl.execute(HTTPClientRequest(url: "\(serverURL)/emulator/stats"))
            guard let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any],
                let busy = object["busy_slot_seconds"] as? Double
            else { throw ValidationError("\(serverURL)/emulator/stats does not say busy_slot_seconds") }
            return busy
        }
    }
}
