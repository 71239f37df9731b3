import ArgumentParser
import BlobStore
import Broker
import CurlClient
import Emulators
import Foundation
import Images
import Logging
import Synchronization
import Workers

/// Our side of `bench/run gpu-pool`: K emulated GPUs (in-process ComfyUI emulators, render
/// time T) with one media worker each drain K×N Dream Weaver jobs submitted at once; prints
/// one JSON line with the wall time and the efficiency, completed jobs per second ÷ (K ÷ T).
struct GPUPoolBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpu-pool", abstract: "Measure how busy media workers keep K emulated GPUs.", shouldDisplay: false)

    @Option(help: "Redis URL (a private server: the bench writes under a namespace of its own).")
    var redisURL: String

    @Option(help: "Emulated GPUs, one ComfyUI emulator and one media worker each.")
    var gpus = 4

    @Option(help: "Render time of one job, in seconds.")
    var renderSeconds = 2.0

    @Option(help: "Jobs per GPU, all submitted at once.")
    var jobsPerGPU = 10

    @Option(help: "prefetch (the media worker) or naive (claim, upload, render, store in turn).")
    var worker = "prefetch"

    @Option(help: "Side of the room photos, in pixels (width; height is 3/4 of it).")
    var imageWidth = 128

    @Option(help: "The workflow manifest.")
    var manifest = "workflows/dream_weaver.manifest.json"

    func validate() throws {
        guard gpus > 0, jobsPerGPU > 0, renderSeconds > 0, imageWidth >= 8 else {
            throw ValidationError("--gpus, --jobs-per-gpu, --render-seconds and --image-width must be positive")
        }
        guard ["prefetch", "naive"].contains(worker) else { throw ValidationError("--worker is prefetch or naive") }
    }

    func run() async throws {
        var logger = Logger(label: "velocity.bench.gpu-pool")
        logger.logLevel = .warning
        // Stopping an emulator at the end logs its server's cancellation; nothing to report.
        var quiet = logger
        quiet.logLevel = .critical
        let workflow = try await DreamWeaverWorkflow.load(manifestAt: manifest)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("velocity-gpu-pool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let blobs = try FileBlobStore(root: root.appendingPathComponent("blobs"))
        let namespace = "gpubench" + UUID().uuidString.prefix(8).lowercased()
        let pool = try await RedisPool.connect(RedisConfiguration(url: redisURL), size: 4)
        let broker = RedisBroker(pool: pool, configuration: RedisBrokerConfiguration(namespace: namespace))
        let http = CurlHTTPClient()
        let total = gpus * jobsPerGPU
        let tally = Tally(total: total)

        let emulators = (0..<gpus).map { gpu in
            var configuration = ComfyUIEmulatorConfiguration(root: root.appendingPathComponent("gpu\(gpu)").path)
            configuration.port = 0
            configuration.checkpoints = workflow.models.map(\.name)
            configuration.renderSeconds = renderSeconds
            return ComfyUIEmulator(configuration: configuration, logger: quiet)
        }
        let submissions = try await jobs(count: total, blobs: blobs)
        let wall: Duration = try await withThrowingTaskGroup(of: Void.self) { group in
            for emulator in emulators { group.addTask { try await emulator.run() } }
            for (gpu, emulator) in emulators.enumerated() {
                let port = try await emulator.waitUntilListening()
                var configuration = MediaWorker.Configuration(queue: "media", workerID: "bench-gpu\(gpu)")
                configuration.prefetch = worker == "prefetch"
                let client = ComfyUIClient(baseURL: "http://127.0.0.1:\(port)", clientID: "bench-gpu\(gpu)", http: http)
                let mediaWorker = MediaWorker(
                    configuration: configuration, comfyUI: client, blobs: blobs, broker: broker, workflow: workflow,
                    logger: logger, activity: { tally.note($0) })
                group.addTask { try await mediaWorker.run() }
            }
            // Let the workers connect and block on the empty queue first.
            try await Task.sleep(for: .milliseconds(500))
            let start = ContinuousClock.now
            _ = try await broker.enqueue(submissions)
            let limit = Duration.seconds(Double(jobsPerGPU) * renderSeconds * 10 + 60)
            let last = try await tally.waitUntilDone(limit: limit)
            group.cancelAll()
            return last - start
        }
        try await http.shutdown()
        await pool.close()

        let seconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
        let perSecond = Double(total) / seconds
        let ideal = Double(gpus) / renderSeconds
        let line: [String: Any] = [
            "worker": worker, "gpus": gpus, "render_seconds": renderSeconds, "jobs": total,
            "succeeded": tally.succeeded, "failed_attempts": tally.failed,
            "wall_seconds": seconds, "jobs_per_second": perSecond, "ideal_per_second": ideal,
            "efficiency": perSecond / ideal,
        ]
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    /// One input blob and one job per render, as the gateway would have stored and queued them.
    private func jobs(count: Int, blobs: FileBlobStore) async throws -> [JobSubmission] {
        let width = imageWidth
        let height = max(8, imageWidth * 3 / 4)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for index in 0..<pixels.count { pixels[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13) }
        let png = try PNGCodec.encode(PNGCodec.Pixels(width: width, height: height, channels: 3, bytes: pixels))
        var submissions: [JobSubmission] = []
        for n in 0..<count {
            let id = JobID.make()
            let input = "dream-weaver/\(id)/input.png"
            try await blobs.write(png, as: input)
            let payload: [String: Any] = [
                "input_blob": input, "room_type": "living_room", "style": "warm scandinavian", "seed": n,
                "image": ["format": "png", "width": width, "height": height, "bytes": png.count],
                "output_blob": "dream-weaver/\(id)/output.png",
            ]
            let text = String(decoding: try JSONSerialization.data(withJSONObject: payload), as: UTF8.self)
            submissions.append(JobSubmission(id: id, kind: "dream_weaver.render", queue: "media", payload: text))
        }
        return submissions
    }
}

/// Counts finished jobs from the workers' activity; the time of the last success ends the
/// measurement (polling only decides when the bench notices).
private final class Tally: Sendable {
    private struct State {
        var succeeded = 0
        var failed = 0
        var last: ContinuousClock.Instant?
    }
    let total: Int
    private let state = Mutex(State())

    init(total: Int) {
        self.total = total
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
            let (count, last) = state.withLock { ($0.succeeded, $0.last) }
            if count >= total, let last { return last }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ValidationError("only \(succeeded) of \(total) jobs succeeded within \(limit)")
    }
}
