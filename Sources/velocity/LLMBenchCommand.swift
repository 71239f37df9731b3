import ArgumentParser
import Broker
import CurlClient
import Foundation
import Logging
import Producer
import Synchronization
import Workers

/// `velocity bench llm`: one run of the LLM dispatcher against a running OpenAI-compatible
/// server (the emulator), driven by bench/run llm. Prints one JSON line of figures.
///
/// Idle phase: chats at a steady trickle, alone. Batch phase: a batch of lines enough for a
/// steady state, with the same trickle of chats. Latency is the broker's own (created →
/// finished); batch throughput is counted over the steady window (after a warm-up) from the
/// lines' finish times.
struct LLMBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "llm", abstract: "One LLM dispatcher run against an OpenAI-compatible server (used by bench/run llm).")

    @Option(help: "Redis URL.")
    var redisURL: String

    @Option(help: "The LLM server's root URL.")
    var serverURL: String

    @Option(help: "Window: aimd, or fixed:N (a naive client with N requests in flight).")
    var mode: String = "aimd"

    @Option(help: "Mean max_tokens of the batch lines; each line asks for a length from half to 1.5 times it.")
    var maxTokens: Int = 64

    @Option(help: "max_tokens of each chat.")
    var chatMaxTokens: Int = 16

    @Option(help: "Chats per second, in both phases.")
    var chatRate: Double = 5

    @Option(help: "Seconds of the idle phase.")
    var idleSeconds: Double = 15

    @Option(help: "Seconds before the steady window of the batch phase.")
    var warmupSeconds: Double = 5

    @Option(help: "Seconds of the steady window.")
    var measureSeconds: Double = 25

    @Option(help: "AIMD window ceiling.")
    var ceiling: Int = 256

    func run() async throws {
        var logger = Logger.velocity("bench.llm")
        logger.logLevel = .warning
        let namespace = "bench-llm-" + UUID().uuidString.prefix(8).lowercased()
        let pool = try await RedisPool.connect(RedisConfiguration(url: redisURL), size: 4)
        let broker = RedisBroker(pool: pool, configuration: RedisBrokerConfiguration(namespace: namespace))
        let producer = JobProducer(broker: broker, store: nil)
        let capacity = try await Self.capacity(serverURL: serverURL, maxTokens: maxTokens)

        let window: AIMDWindow.Configuration
        if mode.hasPrefix("fixed:"), let n = Int(mode.dropFirst(6)), n > 0 {
            window = .fixed(n)
        } else if mode == "aimd" {
            window = AIMDWindow.Configuration(ceiling: ceiling, initial: 4)
        } else {
            throw ValidationError("--mode must be aimd or fixed:N")
        }
        let limits = LimitLog()
        let dispatcher = LLMDispatcher(
            configuration: .init(
                workerID: "bench-llm", serverURL: serverURL, model: .override("bench"), window: window,
                metricsInterval: .milliseconds(100), claimBatch: 64, claimWait: .milliseconds(500)),
            broker: broker, logger: logger,
            observer: { event in if case .window(let limit, _) = event { limits.record(limit) } })

        let figures = try await withThrowingTaskGroup(of: [String: Double]?.self) { group in
            group.addTask {
                try await dispatcher.run()
                return nil
            }
            defer { group.cancelAll() }
            // Idle: chats alone.
            let idle = try await chats(producer, seconds: idleSeconds, tag: "idle")
            let idleLatencies = try await Self.latencies(broker, idle)
            // Batch: enough lines for warm-up, the window and a margin, plus the same trickle.
            let lines = Int(capacity.requestsPerSecond * (warmupSeconds + measureSeconds) * 1.3) + 200
            // Answers of different lengths, as real ones are (evenly spread, mean `maxTokens`):
            // requests that all took equally long would finish in waves.
            let lengths = (0..<lines).map { maxTokens / 2 + ($0 * 37) % (maxTokens + 1) }
            let payloads = (0..<lines).map { n in
                #"{"batch_id":"bench","custom_id":"line-\#(n)","method":"POST","url":"/v1/chat/completions","body":{"messages":[{"role":"user","content":"describe room \#(n)"}],"max_tokens":\#(lengths[n])}}"#
            }
            let batch = try await producer.submit(payloads.map { JobRequest(kind: "llm.batch", payload: $0) })
            let started = try await Self.redisMilliseconds(pool)
            try await Task.sleep(for: .seconds(warmupSeconds))
            limits.reset()
            let busy = try await chats(producer, seconds: measureSeconds, tag: "busy")
            let busyLatencies = try await Self.latencies(broker, busy)
            let windowStart = started + Int(warmupSeconds * 1_000)
            let windowEnd = windowStart + Int(measureSeconds * 1_000)
            var finished = 0
            var tokens = 0
            var unfinished = 0
            for chunk in stride(from: 0, to: batch.count, by: 500) {
                let snapshots = try await batch[chunk..<min(chunk + 500, batch.count)].asyncMap {
                    try await broker.job(queue: "llm", id: $0.id)
                }
                for (offset, snapshot) in snapshots.enumerated() {
                    guard let at = snapshot?.finishedMilliseconds, snapshot?.state == .succeeded else {
                        unfinished += 1
                        continue
                    }
                    if at > windowStart && at <= windowEnd {
                        finished += 1
                        tokens += lengths[chunk + offset]
                    }
                }
            }
            let throughput = Double(tokens) / measureSeconds
            return [
                "capacity_rps": capacity.requestsPerSecond, "capacity_tokens_per_s": capacity.tokensPerSecond,
                "batch_rps": Double(finished) / measureSeconds, "batch_tokens_per_s": throughput,
                "saturation": throughput / capacity.tokensPerSecond,
                "idle_p50_ms": Self.percentile(idleLatencies, 0.50), "idle_p99_ms": Self.percentile(idleLatencies, 0.99),
                "busy_p50_ms": Self.percentile(busyLatencies, 0.50), "busy_p99_ms": Self.percentile(busyLatencies, 0.99),
                "chat_p99_ratio": Self.percentile(busyLatencies, 0.99) / max(1, Self.percentile(idleLatencies, 0.99)),
                "idle_chats": Double(idleLatencies.count), "busy_chats": Double(busyLatencies.count),
                "lines": Double(lines), "lines_unfinished_at_end": Double(unfinished),
                "window_mean": limits.mean, "window_max": Double(limits.maximum),
            ]
        }
        var result: [String: Any] = ["mode": mode]
        for (key, value) in figures { result[key] = value }
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
        await Self.clean(pool, namespace: namespace)
        await pool.close()
    }

    /// Submits chats at `chatRate` for `seconds`, then waits for all of them; their ids.
    func chats(_ producer: JobProducer, seconds: Double, tag: String) async throws -> [String] {
        let count = max(1, Int(seconds * chatRate))
        let clock = ContinuousClock()
        let start = clock.now
        var ids: [String] = []
        for n in 0..<count {
            try await Task.sleep(until: start + .seconds(Double(n) / chatRate), clock: clock)
            let payload = #"{"messages":[{"role":"user","content":"\#(tag) chat \#(n)"}],"max_tokens":\#(chatMaxTokens)}"#
            ids.append(try await producer.submit(JobRequest(kind: "llm.chat", payload: payload)).id)
        }
        return ids
    }

    /// Created → finished of each job once all have finished.
    static func latencies(_ broker: RedisBroker, _ ids: [String]) async throws -> [Double] {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let snapshots = try await ids.asyncMap { try await broker.job(queue: "llm", id: $0) }
            if snapshots.allSatisfy({ $0?.state.isTerminal == true }) {
                return snapshots.compactMap { snapshot in
                    guard let snapshot, snapshot.state == .succeeded, let created = snapshot.createdMilliseconds,
                        let finished = snapshot.finishedMilliseconds
                    else { return nil }
                    return Double(finished - created)
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ValidationError("chats did not finish within 120 s")
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    /// The emulator's ceiling at the mean length; service time is linear in the length, so
    /// it is also the ceiling, in tokens per second, of the evenly spread mix.
    static func capacity(serverURL: String, maxTokens: Int) async throws -> (
        requestsPerSecond: Double, tokensPerSecond: Double, slots: Int
    ) {
        try await CurlHTTPClient.withClient { curl in
            let response = try await curl.execute(HTTPClientRequest(url: "\(serverURL)/emulator/capacity?max_tokens=\(maxTokens)"))
            guard response.isSuccess,
                let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any],
                let rps = object["requests_per_second"] as? Double, let tps = object["tokens_per_second"] as? Double,
                let slots = object["slots"] as? Int
            else { throw ValidationError("\(serverURL) does not state its capacity (is it the emulator?)") }
            return (rps, tps, slots)
        }
    }

    static func redisMilliseconds(_ pool: RedisPool) async throws -> Int {
        let reply = try await pool.send(RedisCommand("TIME", []))
        let parts = reply.array?.compactMap(\.string).compactMap(Int.init) ?? []
        guard parts.count == 2 else { throw ValidationError("TIME failed") }
        return parts[0] * 1_000 + parts[1] / 1_000
    }

    static func clean(_ pool: RedisPool, namespace: String) async {
        var cursor = "0"
        repeat {
            guard let reply = try? await pool.send(RedisCommand("SCAN", [cursor, "MATCH", "\(namespace):*", "COUNT", "1000"])),
                let parts = reply.array, parts.count == 2
            else { return }
            cursor = parts[0].string ?? "0"
            let keys = (parts[1].array ?? []).compactMap(\.string)
            if !keys.isEmpty { _ = try? await pool.send(RedisCommand("DEL", keys)) }
        } while cursor != "0"
    }
}

/// The window limits a run went through.
final class LimitLog: Sendable {
    private let values = Mutex<[Int]>([])

    func record(_ value: Int) { values.withLock { $0.append(value) } }
    func reset() { values.withLock { $0 = Array($0.suffix(1)) } }
    var mean: Double { values.withLock { $0.isEmpty ? 0 : Double($0.reduce(0, +)) / Double($0.count) } }
    var maximum: Int { values.withLock { $0.max() ?? 0 } }
}

extension Collection where Index == Int {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
