import ArgumentParser
import BlobStore
import Broker
import CurlClient
import Emulators
import Foundation
import Images
import JobContracts
import Logging
import Synchronization
import VelocityTypes
import Workers

/// Our side of `bench/run gpu-pool`: K emulated GPUs that cost what a real box costs (an L4
/// holding one SDXL checkpoint beside a render, a model load when a workflow needs another,
/// render times spread around their median, phone photos in and multi-MB PNGs out over a
/// bandwidth) with one media worker each drain K×N Dream Weaver jobs of a mix of workflows
/// submitted at once, after a warm-up of K jobs of each workflow (a box that has been running
/// holds models, and its workers know which). Prints one JSON line about the measured jobs:
/// wall time, efficiency (the GPUs' busy sampling time ÷ (K × wall)) and model loads.
struct GPUPoolBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpu-pool", abstract: "Measure how busy media workers keep K emulated GPUs.", shouldDisplay: false)

    @Option(help: "Redis URL (a private server: the bench writes under a namespace of its own).")
    var redisURL: String

    @Option(help: "Emulated GPUs, one ComfyUI emulator and one media worker each.")
    var gpus = 4

    @Option(help: "Median render (sampling) time of one job, in seconds.")
    var renderSeconds = 4.0

    @Option(help: "Sigma of the log-normal spread of render times (0: every render takes --render-seconds).")
    var renderSpread = 0.3

    @Option(help: "Seconds to load a checkpoint the GPU does not hold.")
    var modelLoadSeconds = 6.0

    @Option(help: "VRAM in GiB a render needs besides its checkpoint (12: an L4 holds one SDXL checkpoint).")
    var workingVramGib = 12.0

    @Option(help: "Size range of the room photos in MB (a phone photo).")
    var photoMb = "4-12"

    @Option(help: "Size range of the rendered PNGs in MB.")
    var outputMb = "2-6"

    @Option(help: "Upload and download bandwidth of each backend in MB/s (0: loopback's).")
    var bandwidthMbPerS = 200.0

    /// 40: the last renders, which no worker can spread evenly, are a small part of the run, as
    /// on a box that renders all day.
    @Option(help: "Jobs per GPU, all submitted at once.")
    var jobsPerGPU = 40

    @Option(
        help:
            "prefetch (the media worker: prefetch and model-aware claims) or naive (claim, upload, render, store in turn, in queue order)."
    )
    var worker = "prefetch"

    @Option(help: "Side of the room photos' pixels (width; height is 3/4 of it); the files are padded to --photo-mb.")
    var imageWidth = 128

    @Option(help: "A workflow manifest of the mix; repeatable (default: the shipped workflow and the bench's twilight one).")
    var manifest: [String] = []

    @Option(help: "Seed of the job list (workflows, photo sizes, render times): the same for both workers.")
    var seed: UInt64 = 7

    func validate() throws {
        guard gpus > 0, jobsPerGPU > 0, renderSeconds > 0, imageWidth >= 8, renderSpread >= 0, modelLoadSeconds >= 0,
            workingVramGib >= 0, bandwidthMbPerS >= 0
        else {
            throw ValidationError(
                "--gpus, --jobs-per-gpu, --render-seconds and --image-width must be positive, the rest not negative")
        }
        guard ["prefetch", "naive"].contains(worker) else { throw ValidationError("--worker is prefetch or naive") }
        _ = try MegabyteRange.bytes(photoMb, option: "--photo-mb")
        _ = try MegabyteRange.bytes(outputMb, option: "--output-mb")
    }

    func run() async throws {
        var logger = Logger(label: "velocity.bench.gpu-pool")
        logger.logLevel = .warning
        // Stopping an emulator at the end logs its server's cancellation; nothing to report.
        var quiet = logger
        quiet.logLevel = .critical
        let paths =
            manifest.isEmpty
            ? ["workflows/dream_weaver.manifest.json", "bench/gpu-pool/dream_weaver_twilight.manifest.json"] : manifest
        let catalog = try await WorkflowCatalog.load(manifestsAt: paths)
        let workflows = catalog.ordered
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("velocity-gpu-pool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let blobs = try FileBlobStore(root: root.appendingPathComponent("blobs"))
        let namespace = "gpubench" + UUID().uuidString.prefix(8).lowercased()
        let pool = try await RedisPool.connect(RedisConfiguration(url: redisURL), size: 4)
        let broker = RedisBroker(pool: pool, configuration: RedisBrokerConfiguration(namespace: namespace))
        let http = CurlHTTPClient()
        let total = gpus * jobsPerGPU
        let tally = Tally()
        let photoBytes = try MegabyteRange.bytes(photoMb, option: "--photo-mb")
        let outputBytes = try MegabyteRange.bytes(outputMb, option: "--output-mb")

        let emulators = (0..<gpus).map { gpu in
            var configuration = ComfyUIEmulatorConfiguration(root: root.appendingPathComponent("gpu\(gpu)").path)
            configuration.port = 0
            configuration.checkpoints = workflows.flatMap { $0.models.map(\.name) }
            configuration.renderSeconds = renderSeconds
            configuration.renderSecondsSpread = renderSpread
            configuration.modelLoadSeconds = modelLoadSeconds
            configuration.device.workingVRAMBytes = Int64(workingVramGib * 1_073_741_824)
            configuration.uploadBytesPerSecond = bandwidthMbPerS * 1_000_000
            configuration.downloadBytesPerSecond = bandwidthMbPerS * 1_000_000
            configuration.outputBytes = outputBytes
            return ComfyUIEmulator(configuration: configuration, logger: quiet)
        }
        var random = SplitMix64(seed: seed)
        let warmUp = try await BenchRenders.make(
            (0..<gpus * workflows.count).map { workflows[$0 % workflows.count].name }, imageWidth: imageWidth,
            photoBytes: photoBytes, random: &random, blobs: blobs)
        let submissions = try await BenchRenders.make(
            (0..<total).map { _ in workflows[Int(random.next() % UInt64(workflows.count))].name }, imageWidth: imageWidth,
            photoBytes: photoBytes, random: &random, blobs: blobs)
        var before: [ComfyUIEmulatorStatistics] = []
        var end = ContinuousClock.now
        let wall: Duration = try await withThrowingTaskGroup(of: Void.self) { group in
            for emulator in emulators { group.addTask { try await emulator.run() } }
            for (gpu, emulator) in emulators.enumerated() {
                let port = try await emulator.waitUntilListening()
                var configuration = MediaWorker.Configuration(queue: "media", workerID: "bench-gpu\(gpu)")
                configuration.prefetch = worker == "prefetch"
                if worker == "naive" { configuration.modelAffinity = nil }
                let client = ComfyUIClient(baseURL: "http://127.0.0.1:\(port)", clientID: "bench-gpu\(gpu)", http: http)
                let mediaWorker = MediaWorker(
                    configuration: configuration, comfyUI: client, blobs: blobs, broker: broker, workflows: catalog,
                    logger: logger, activity: { tally.note($0) })
                group.addTask { try await mediaWorker.run() }
            }
            // Let the workers connect and block on the empty queue first.
            try await Task.sleep(for: .milliseconds(500))
            let limit = Duration.seconds(Double(jobsPerGPU) * (renderSeconds * 3 + modelLoadSeconds) * 3 + 60)
            tally.expect(warmUp.count)
            _ = try await broker.enqueue(warmUp)
            _ = try await tally.waitUntilDone(limit: limit)
            before = emulators.map(\.statistics)
            tally.expect(total)
            let start = ContinuousClock.now
            _ = try await broker.enqueue(submissions)
            let last = try await tally.waitUntilDone(limit: limit)
            group.cancelAll()
            end = last
            return last - start
        }
        try await http.shutdown()
        await pool.close()

        let seconds = wall.inSeconds
        let after = emulators.map(\.statistics)
        let sampling = zip(after, before).map { $0.busySeconds - $1.busySeconds }.reduce(0, +)
        let loads = zip(after, before).map { $0.modelLoads - $1.modelLoads }.reduce(0, +)
        let loading = zip(after, before).map { $0.modelLoadSeconds - $1.modelLoadSeconds }.reduce(0, +)
        let prompts = zip(after, before).map { $0.promptSeconds - $1.promptSeconds }.reduce(0, +)
        // Each GPU's idle time after its last prompt, until the last job was stored.
        let tail = after.compactMap(\.lastPromptEnded).map { $0.duration(to: end).inSeconds }.reduce(0, +)
        let line: [String: Any] = [
            "worker": worker, "gpus": gpus, "render_seconds": renderSeconds, "render_spread": renderSpread,
            "model_load_seconds": modelLoadSeconds, "photo_mb": photoMb, "output_mb": outputMb,
            "bandwidth_mb_per_s": bandwidthMbPerS, "workflows": workflows.map(\.name), "jobs": total,
            "succeeded": tally.succeeded, "failed_attempts": tally.failed, "wall_seconds": seconds,
            "sampling_seconds": sampling, "ideal_wall_seconds": sampling / Double(gpus),
            "efficiency": sampling / (Double(gpus) * seconds), "model_loads": loads,
            "model_loads_per_100": Double(loads) * 100 / Double(total), "seed": seed,
            // Where the GPU-seconds that were not sampling went, as shares of gpus × wall.
            "lost_to_model_loads": loading / (Double(gpus) * seconds),
            "lost_in_prompts": (prompts - sampling - loading) / (Double(gpus) * seconds),
            "lost_between_prompts": (Double(gpus) * seconds - prompts - tail) / (Double(gpus) * seconds),
            "lost_at_the_end": tail / (Double(gpus) * seconds),
        ]
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

/// Counts finished jobs from the workers' activity; the time of the last success ends the
/// measurement (polling only decides when the bench notices).
private final class Tally: Sendable {
    private struct State {
        var total = 0
        var succeeded = 0
        var failed = 0
        var last: ContinuousClock.Instant?
    }
    private let state = Mutex(State())

    /// Counts from zero towards `count` jobs.
    func expect(_ count: Int) {
        state.withLock { $0 = State(total: count) }
    }

    var succeeded: Int { state.withLock { $0.succeeded } }
    var failed: Int { state.withLock { $0.failed } }

    func note(_ activity: WorkerActivity) {
        guard case .jobFinished(_, let outcome) = activity else { return }
        state.withLock { state in
            if outcome == .succeeded {
                state.succeeded += 1
                state.last = .now
            } else {
                state.failed += 1
            }
        }
    }

    /// The time of the last success, once all jobs succeeded; throws past `limit`.
    func waitUntilDone(limit: Duration) async throws -> ContinuousClock.Instant {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let (count, total, last) = state.withLock { ($0.succeeded, $0.total, $0.last) }
            if count >= total, let last { return last }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ValidationError("only \(succeeded) of \(state.withLock { $0.total }) jobs succeeded within \(limit)")
    }
}
