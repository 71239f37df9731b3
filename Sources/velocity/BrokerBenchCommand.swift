import ArgumentParser
import Broker
import Foundation
import JobContracts
import Logging
import Producer
import Synchronization
import VelocityTypes
import Workers

/// Our side of `bench/run broker`: prints one JSON line with enqueue, drain and pickup figures.
struct BrokerBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker", abstract: "Measure enqueue, drain and idle pickup against one Redis.")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Jobs drained (and bulk-enqueued).")
    var jobs: Int = 20_000

    @Option(help: "Jobs enqueued one at a time.")
    var singleJobs: Int = 5_000

    @Option(help: "Pickup latency samples.")
    var pickupSamples: Int = 300

    @Option(help: "Handlers run at once by the one worker.")
    var concurrency: Int = 64

    @Flag(
        help: "Record every job in Postgres (accept and terminal state) and count drain until Postgres has every terminal state.")
    var withPostgresRecord = false

    @Flag(help: "Print one JSON line.")
    var json = false

    @Flag(help: "Add each phase's Redis commands (calls and µs per job, from INFO commandstats) to the output.")
    var profile = false

    func run() async throws {
        let logger = {
            var logger = Logger.velocity("bench")
            logger.logLevel = .warning
            return logger
        }()
        let store = withPostgresRecord ? try await connection.makeRecordStore() : nil
        if withPostgresRecord && store == nil {
            throw ValidationError("--with-postgres-record needs --postgres-url")
        }
        let broker = try await connection.makeBroker(recordOutbox: store != nil)
        let producer = JobProducer(
            broker: broker, store: store, kinds: JobKindRegistry([JobKind(name: "bench.noop", queue: "bench")]),
            logger: logger)
        let request = JobRequest(kind: "bench.noop", payload: "{}", maxAttempts: 1)
        try await broker.deleteQueueKeys("bench")

        var meter = RedisCostMeter(broker: broker)
        var costs: [(phase: String, cost: RedisCostMeter.Cost)] = []

        // Enqueue, one job per call.
        try await meter.start()
        var clock = ContinuousClock.now
        for _ in 0..<singleJobs { _ = try await producer.submit(request) }
        let single = Double(singleJobs) / seconds(since: clock)
        costs.append(("single", try await meter.stop(jobs: singleJobs)))
        try await broker.deleteQueueKeys("bench")

        // Enqueue in bulk (1,000 per call); these are the jobs the drain then runs.
        var drainRequest = request
        drainRequest.parentBatch = "bench-" + JobID.make()
        let batch = drainRequest.parentBatch!
        let requests = [JobRequest](repeating: drainRequest, count: jobs)
        try await meter.start()
        clock = .now
        let receipts = try await producer.submit(requests, chunkSize: 1_000)
        let bulk = Double(jobs) / seconds(since: clock)
        costs.append(("bulk", try await meter.stop(jobs: jobs)))

        // Drain with one worker.
        let worker = QueueWorker(
            configuration: .init(queue: "bench", workerID: "bench", concurrency: concurrency, claimBatch: concurrency),
            broker: broker, handler: BuiltInHandler(argument: "noop")!, logger: logger)
        try await meter.start()
        let drain: Double = try await withThrowingTaskGroup(of: Void.self) { group in
            let drainStart = ContinuousClock.now
            group.addTask { try await worker.run() }
            if let store {
                group.addTask { try await JobRecordSync(broker: broker, store: store, queues: ["bench"], logger: logger).run() }
            }
            while try await broker.depth(queue: "bench").succeededTotal < receipts.count {
                try await Task.sleep(for: .milliseconds(2))
            }
            if let store {
                while try await store.count(parentBatch: batch, state: .succeeded) < receipts.count {
                    try await Task.sleep(for: .milliseconds(5))
                }
            }
            let rate = Double(receipts.count) / seconds(since: drainStart)
            group.cancelAll()
            return rate
        }
        costs.append(("drain", try await meter.stop(jobs: receipts.count)))

        let (p50, p99) = try await pickupLatency(broker: broker, producer: producer, logger: logger)
        var result: [String: Any] = [
            "queue": "velocity" + (store == nil ? "" : " + postgres record"),
            "enqueue_single_per_s": rounded(single), "enqueue_bulk_per_s": rounded(bulk),
            "drain_per_s": rounded(drain), "pickup_p50_ms": rounded(p50, places: 3),
            "pickup_p99_ms": rounded(p99, places: 3), "postgres_record": store != nil,
        ]
        for (phase, cost) in costs {
            result["redis_cpu_us_per_job_\(phase)"] = rounded(cost.cpuMicroseconds, places: 2)
            result["redis_script_us_per_job_\(phase)"] = rounded(cost.scriptMicroseconds, places: 2)
            if profile {
                result["redis_commands_\(phase)"] = cost.commands.prefix(16).map {
                    [$0.name, rounded($0.callsPerJob, places: 3), rounded($0.microsecondsPerJob, places: 3)] as [Any]
                }
            }
        }
        if json {
            let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for (key, value) in result.sorted(by: { $0.key < $1.key }) { print("\(key): \(value)") }
        }
    }

    /// Idle worker, jobs submitted one at a time: enqueue call start → handler start.
    private func pickupLatency(broker: RedisBroker, producer: JobProducer, logger: Logger) async throws -> (Double, Double) {
        try await broker.deleteQueueKeys("bench")
        let samples = Mutex<[Double]>([])
        let started = Mutex<[String: ContinuousClock.Instant]>([:])
        let handler = ClosureJobHandler { job, _ in
            let now = ContinuousClock.now
            if let t0 = started.withLock({ $0[job.payload] }) {
                let elapsed = t0.duration(to: now)
                samples.withLock {
                    $0.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
                }
            }
            return nil
        }
        let worker = QueueWorker(
            configuration: .init(queue: "bench", workerID: "bench-pickup", concurrency: 1, claimWait: .seconds(1)),
            broker: broker, handler: handler, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            try await Task.sleep(for: .milliseconds(200))
            for i in 0..<pickupSamples {
                let payload = #"{"sample":\#(i)}"#
                started.withLock { $0[payload] = .now }
                _ = try await producer.submit(JobRequest(kind: "bench.noop", payload: payload, maxAttempts: 1))
                // Let the worker go idle (blocked on the queue) again before the next one.
                while samples.withLock({ $0.count }) <= i { try await Task.sleep(for: .microseconds(200)) }
                try await Task.sleep(for: .milliseconds(3))
            }
            group.cancelAll()
            let sorted = samples.withLock { $0 }.sorted()
            return (percentile(sorted, 0.50), percentile(sorted, 0.99))
        }
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = start.duration(to: .now)
        return d.inSeconds
    }

    private func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    private func rounded(_ value: Double, places: Int = 0) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }
}
