import ArgumentParser
import Broker
import Foundation
import JobContracts
import Logging
import Producer
import VelocityTypes
import Workers

/// Our side of `bench/run broker-curves`: a backlog drained by any number of worker processes.
///
/// `enqueue` empties the bench queue, pauses it and bulk-enqueues the backlog; `work` runs one
/// no-op worker process on it (until killed); `release` resumes the queue once the workers
/// wait on it and times the drain until every job has succeeded. Each prints one JSON line
/// (`work` none).
struct DrainBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain", abstract: "Drain a paused backlog with worker processes started separately.")

    enum Phase: String, ExpressibleByArgument, CaseIterable {
        case enqueue, work, release
    }

    @Argument(help: "enqueue | work | release")
    var phase: Phase

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Backlog size (enqueue, release).")
    var jobs: Int = 20_000

    @Option(help: "Handlers one worker runs at once (work).")
    var concurrency: Int = 64

    @Option(help: "Most jobs one claim takes (work).")
    var claimBatch: Int = 64

    @Option(help: "Worker id (work).")
    var workerID = "bench-drain"

    private static let queue = "bench"

    func validate() throws {
        guard jobs > 0, concurrency > 0, claimBatch > 0 else {
            throw ValidationError("--jobs, --concurrency and --claim-batch must be positive")
        }
    }

    func run() async throws {
        var logger = Logger.velocity("bench")
        logger.logLevel = .warning
        let broker = try await connection.makeBroker(recordOutbox: false)
        switch phase {
        case .enqueue:
            try await broker.deleteQueueKeys(Self.queue)
            try await broker.setPaused(queue: Self.queue, true)
            let before = try await broker.usedMemory()
            let producer = JobProducer(
                broker: broker, store: nil, kinds: JobKindRegistry([JobKind(name: "bench.noop", queue: Self.queue)]),
                logger: logger)
            let request = JobRequest(kind: "bench.noop", payload: "{}", maxAttempts: 1)
            let clock = ContinuousClock.now
            // Chunks of 100,000 requests keep the client's memory flat for a million-job backlog.
            var left = jobs
            while left > 0 {
                let count = min(left, 100_000)
                _ = try await producer.submit([JobRequest](repeating: request, count: count), chunkSize: 1_000)
                left -= count
            }
            let seconds = Self.seconds(since: clock)
            let after = try await broker.usedMemory()
            print(
                json([
                    "jobs": jobs, "enqueue_seconds": seconds, "enqueue_per_s": Double(jobs) / seconds,
                    "used_memory_before": before, "used_memory_after": after,
                    "bytes_per_queued_job": Double(after - before) / Double(jobs),
                ]))
        case .work:
            let worker = QueueWorker(
                configuration: .init(
                    queue: Self.queue, workerID: workerID, concurrency: concurrency, claimBatch: claimBatch),
                broker: broker, handler: BuiltInHandler(argument: "noop")!, logger: logger)
            try await worker.run()
        case .release:
            var meter = RedisCostMeter(broker: broker)
            try await meter.start()
            let clock = ContinuousClock.now
            try await broker.setPaused(queue: Self.queue, false)
            while try await broker.depth(queue: Self.queue).succeededTotal < jobs {
                try await Task.sleep(for: .milliseconds(5))
            }
            let seconds = Self.seconds(since: clock)
            let cost = try await meter.stop(jobs: jobs)
            print(
                json([
                    "jobs": jobs, "drain_seconds": seconds, "drain_per_s": Double(jobs) / seconds,
                    "redis_cpu_us_per_job": cost.cpuMicroseconds, "used_memory_drained": try await broker.usedMemory(),
                ]))
        }
    }

    private func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = start.duration(to: .now)
        return d.inSeconds
    }
}
