import ArgumentParser
import Broker
import Foundation
import Synchronization

/// Our side of `bench/run fairness`: one phase of the workload against a queue that worker
/// processes (started by the harness) drain; prints the raw figures as one JSON line, which the
/// harness turns into percentiles and ratios.
///
/// - `alone`: only the light tenant, one interactive job every `--interval-ms`.
/// - `mixed`: the heavy tenant floods `--heavy-jobs` batch jobs; once half of it has run the light one
///   submits a `--light-batch` of the same priority and, all along, one interactive job every
///   `--interval-ms`. Times come from the jobs' hashes (the scripts' clock).
struct FairnessBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fairness", abstract: "One phase of the fair-share benchmark (run through bench/run fairness).")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "alone or mixed.")
    var phase: String

    @Option(help: "Queue the harness's workers drain.")
    var queue = "fairbench"

    @Option(help: "Batch jobs of the heavy tenant (mixed).")
    var heavyJobs = 50_000

    @Option(help: "Batch jobs of the light tenant, as heavy's priority (mixed).")
    var lightBatch = 1_000

    @Option(help: "Interactive jobs alone; in mixed they run until the batches are done.")
    var lightJobs = 200

    @Option(help: "Milliseconds between the light tenant's interactive jobs.")
    var intervalMs = 50

    @Option(help: "Light batch jobs whose ETA is read right after they are queued.")
    var etaSamples = 50

    @Flag(help: "Turn the queue's fair share off (priority and age alone): the comparison run.")
    var fairOff = false

    static let batchPriority = 0
    static let interactivePriority = 10

    func run() async throws {
        guard phase == "alone" || phase == "mixed" else { throw ValidationError("--phase must be alone or mixed") }
        let broker = try await connection.makeBroker(recordOutbox: false)
        try await broker.setLimits(queue: queue, QueueLimits(fair: !fairOff))
        let interactive = Mutex<[String]>([])
        let stop = Atomic<Bool>(false)
        let queue = queue
        let submitter = Task {
            var count = 0
            while !stop.load(ordering: .acquiring), phase == "mixed" || count < lightJobs {
                let job = Self.job(queue: queue, tenant: "light", priority: Self.interactivePriority)
                _ = try await broker.enqueue([job])
                interactive.withLock { $0.append(job.id) }
                count += 1
                try await Task.sleep(for: .milliseconds(intervalMs))
            }
        }
        var batchIDs: [String] = []
        var light: [String] = []
        var etas: [(id: String, readMs: Int, predictedMs: Int, position: Int)] = []
        var rateAtRead = ""
        if phase == "mixed" {
            let heavy = (0..<heavyJobs).map { _ in
                Self.job(queue: queue, tenant: "heavy", priority: Self.batchPriority)
            }
            for start in stride(from: 0, to: heavy.count, by: 5_000) {
                _ = try await broker.enqueue(Array(heavy[start..<min(start + 5_000, heavy.count)]))
            }
            // The light batch arrives into a queue already draining, as a user's would: once half
            // of the flood has run (a fixed delay let a fast drain end the flood first).
            while try await broker.depth(queue: queue).succeededTotal < heavyJobs / 2 {
                try await Task.sleep(for: .milliseconds(5))
            }
            let batch = (0..<lightBatch).map { _ in
                Self.job(queue: queue, tenant: "light", priority: Self.batchPriority)
            }
            _ = try await broker.enqueue(batch)
            light = batch.map(\.id)
            let step = max(1, light.count / max(etaSamples, 1))
            let sampled = Swift.stride(from: step - 1, to: light.count, by: step).map { light[$0] }
            let snapshots = try await broker.jobs(queue: queue, ids: sampled)
            // An ETA counts from when the `standing` script computed it, the last step of the
            // read: the read's end, not its start (a read behind the flood takes several ms).
            let readMs = Self.nowMilliseconds()
            for (id, snapshot) in zip(sampled, snapshots) {
                if let eta = snapshot?.eta { etas.append((id, readMs, eta.p50Milliseconds, snapshot?.queuePosition ?? -1)) }
            }
            let meta = try await broker.send(RedisCommand("HMGET", [broker.keys(queue).meta, "rate", "rate_at"]))
            rateAtRead = "\(meta)"
            batchIDs = heavy.map(\.id) + light
            let total = batchIDs.count
            while try await broker.depth(queue: queue).succeededTotal < total {
                try await Task.sleep(for: .milliseconds(20))
            }
            stop.store(true, ordering: .releasing)
        }
        try await submitter.value
        let interactiveIDs = interactive.withLock { $0 }
        // The last interactive jobs finish too.
        while try await broker.depth(queue: queue).succeededTotal < batchIDs.count + interactiveIDs.count {
            try await Task.sleep(for: .milliseconds(20))
        }
        var times: [String: (tenant: String, created: Int, claimed: Int, finished: Int)] = [:]
        let everyID = batchIDs + interactiveIDs
        for start in stride(from: 0, to: everyID.count, by: 2_000) {
            let ids = Array(everyID[start..<min(start + 2_000, everyID.count)])
            for (id, snapshot) in zip(ids, try await broker.jobs(queue: queue, ids: ids)) {
                guard let s = snapshot, let created = s.createdMilliseconds, let claimed = s.claimedMilliseconds,
                    let finished = s.finishedMilliseconds
                else { throw ValidationError("job \(id) has no times: \(String(describing: snapshot))") }
                times[id] = (s.tenant, created, claimed, finished)
            }
        }
        var result: [String: Any] = [
            "phase": phase, "fair": !fairOff,
            "interactive_waits_ms": interactiveIDs.map { times[$0]!.claimed - times[$0]!.created },
        ]
        if phase == "mixed" {
            let batches = batchIDs.map { times[$0]! }
            let started = batches.map(\.created).min()!
            let ended = batches.map(\.finished).max()!
            // Both backlogged: from the light batch's arrival until either batch is done.
            let lightTimes = light.map { times[$0]! }
            let heavyEnd = batchIDs.prefix(heavyJobs).map { times[$0]!.finished }.max()!
            let windowStart = lightTimes.map(\.created).min()!
            let windowEnd = min(lightTimes.map(\.finished).max()!, heavyEnd)
            let inWindow = times.values.filter { $0.finished >= windowStart && $0.finished <= windowEnd }
            result["drain_ms"] = ended - started
            result["drained_jobs"] = batches.count
            result["window_ms"] = windowEnd - windowStart
            result["window_light"] = inWindow.filter { $0.tenant == "light" }.count
            result["window_heavy"] = inWindow.filter { $0.tenant == "heavy" }.count
            result["eta"] = etas.map { [$0.predictedMs, times[$0.id]!.finished - $0.readMs, $0.position] }
            result["rate_at_read"] = rateAtRead
        }
        let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func job(queue: String, tenant: String, priority: Int) -> JobSubmission {
        JobSubmission(kind: "bench.noop", queue: queue, tenant: tenant, priority: priority, maxAttempts: 1)
    }

    static func nowMilliseconds() -> Int { Int(Date().timeIntervalSince1970 * 1000) }
}
