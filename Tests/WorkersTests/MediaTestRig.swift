import BlobStore
import Broker
import CurlClient
import Emulators
import Foundation
import Gateway
import Images
import JobContracts
import Logging
import ServiceLifecycle
import Synchronization
import TestSupport
import Workers

/// GPUs for the media worker's end-to-end tests: in-process ComfyUI emulators on free loopback
/// ports, the real Redis broker (a namespace per test), a blob store in a temporary directory,
/// and one `MediaWorker` per emulator, each in a `ServiceGroup` of its own so a test can drain
/// or stop one GPU.
final class MediaTestRig: Sendable {
    static let manifestPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("workflows/dream_weaver.manifest.json").path

    let test: TestBroker
    let blobs: FileBlobStore
    let root: URL
    let http = CurlHTTPClient()
    let workflows: WorkflowCatalog
    var workflow: DreamWeaverWorkflow { workflows.defaultWorkflow }
    let logger: Logger
    /// For the emulators: stopping one logs its server's cancellation, which is no news here.
    let quietLogger: Logger
    private let log = Mutex<[(gpu: Int, activity: WorkerActivity)]>([])

    var broker: RedisBroker { test.broker }

    /// `workflows`: the workers' catalog, the first the default (the shipped workflow alone
    /// when nil); `workflow`: one instead of the shipped one.
    init(workflow: DreamWeaverWorkflow? = nil, workflows: [DreamWeaverWorkflow]? = nil) async throws {
        test = try await TestBroker.make()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("velocity-media-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        blobs = try FileBlobStore(root: root.appendingPathComponent("blobs"))
        if let workflows {
            self.workflows = try WorkflowCatalog(workflows)
        } else if let workflow {
            self.workflows = try WorkflowCatalog([workflow])
        } else {
            self.workflows = try WorkflowCatalog([try await DreamWeaverWorkflow.load(manifestAt: Self.manifestPath)])
        }
        var logger = Logger(label: "test.media")
        logger.logLevel = .warning
        self.logger = logger
        var quietLogger = logger
        quietLogger.logLevel = .critical
        self.quietLogger = quietLogger
    }

    func tearDown() async {
        try? await http.shutdown()
        await test.tearDown()
        try? FileManager.default.removeItem(at: root)
    }

    // MARK: emulators and workers

    func emulatorConfiguration(gpu: Int, renderSeconds: Double) -> ComfyUIEmulatorConfiguration {
        var configuration = ComfyUIEmulatorConfiguration(root: root.appendingPathComponent("gpu\(gpu)").path)
        configuration.port = 0
        configuration.checkpoints = ["dreamweaver_staging_xl.safetensors"]
        configuration.renderSeconds = renderSeconds
        return configuration
    }

    func workerConfiguration(gpu: Int) -> MediaWorker.Configuration {
        var configuration = MediaWorker.Configuration(queue: "media", workerID: "gpu\(gpu)-\(UUID().uuidString.prefix(8))")
        configuration.claimWait = .milliseconds(200)
        configuration.backendProbeInterval = .milliseconds(100)
        configuration.backendFailureRetryDelayMilliseconds = 50
        configuration.progressInterval = .milliseconds(100)
        configuration.completion.quietPoll = .milliseconds(100)
        configuration.completion.quietPeriod = .milliseconds(500)
        configuration.completion.queueCheck = .milliseconds(300)
        configuration.completion.unreachableGrace = .milliseconds(600)
        configuration.completion.silenceDeadline = .seconds(30)
        return configuration
    }

    func worker(gpu: Int, baseURL: String, configuration: MediaWorker.Configuration? = nil) -> MediaWorker {
        let configuration = configuration ?? workerConfiguration(gpu: gpu)
        var clientConfiguration = ComfyUIClient.Configuration()
        // A hung server is noticed by requests that time out.
        clientConfiguration.requestTimeoutMilliseconds = 1_000
        let client = ComfyUIClient(
            baseURL: baseURL, clientID: "velocity-\(configuration.workerID)", http: http, configuration: clientConfiguration)
        return MediaWorker(
            configuration: configuration, comfyUI: client, blobs: blobs, broker: broker, workflows: workflows, logger: logger,
            activity: { [weak self] activity in self?.record(gpu: gpu, activity) })
    }

    func record(gpu: Int, _ activity: WorkerActivity) {
        log.withLock { $0.append((gpu, activity)) }
    }

    /// Everything the workers reported so far, with the GPU that reported it.
    var activities: [(gpu: Int, activity: WorkerActivity)] { log.withLock { $0 } }

    func activities(gpu: Int) -> [WorkerActivity] { activities.filter { $0.gpu == gpu }.map(\.activity) }

    /// The GPUs whose worker reported `jobID` finished with `outcome`.
    func finishes(_ jobID: String, _ outcome: WorkerJobOutcome) -> [Int] {
        activities.compactMap { entry in
            if case .jobFinished(jobID, outcome) = entry.activity { return entry.gpu }
            return nil
        }
    }

    /// `finishes`, once the worker reported it: a job's state changes in the broker before its
    /// worker's `jobFinished` activity is reported.
    func finished(_ jobID: String, _ outcome: WorkerJobOutcome) async throws -> [Int] {
        try await eventually("job \(jobID)'s worker reports it \(outcome)", limit: .seconds(10)) {
            !finishes(jobID, outcome).isEmpty
        }
        return finishes(jobID, outcome)
    }

    func started(_ jobID: String) -> Bool {
        activities.contains { if case .jobStarted(jobID) = $0.activity { return true } else { return false } }
    }

    // MARK: jobs

    /// A deterministic RGB test picture.
    static func picture(width: Int, height: Int, salt: Int = 0) -> PNGCodec.Pixels {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                bytes.append(UInt8((x * 7 + salt) & 0xFF))
                bytes.append(UInt8((y * 11 + salt * 3) & 0xFF))
                bytes.append(UInt8((x * y + salt) & 0xFF))
            }
        }
        return PNGCodec.Pixels(width: width, height: height, channels: 3, bytes: bytes)
    }

    /// Stores the picture as the job's input and enqueues a `dream_weaver.render` job the way
    /// the gateway does; returns the job id.
    func submit(
        _ picture: PNGCodec.Pixels, roomType: String = "living_room", style: String = "warm scandinavian",
        seed: UInt32? = 1234, maxAttempts: Int = 3, leaseMilliseconds: Int = 3_000, traceParent: String? = nil
    ) async throws -> String {
        try await submitMany(
            [picture], roomType: roomType, style: style, seed: seed, maxAttempts: maxAttempts,
            leaseMilliseconds: leaseMilliseconds, traceParent: traceParent)[0]
    }

    /// `workflows`: the workflow of each job in turn (the gateway's `workflow` field), nil for
    /// the default; the job's affinity is its workflow's, as the producer sets it.
    func submitMany(
        _ pictures: [PNGCodec.Pixels], roomType: String = "living_room", style: String = "warm scandinavian",
        seed: UInt32? = 1234, maxAttempts: Int = 3, leaseMilliseconds: Int = 3_000, traceParent: String? = nil,
        workflows: [String?] = []
    ) async throws -> [String] {
        var submissions: [JobSubmission] = []
        for (index, picture) in pictures.enumerated() {
            let bytes = try PNGCodec.encode(picture)
            let id = JobID.make()
            let payload = DreamWeaverRender.Payload(
                jobID: id,
                form: DreamWeaverForm(
                    roomType: roomType, style: style, seed: seed, workflow: index < workflows.count ? workflows[index] : nil),
                image: ValidatedImage(format: .png, width: picture.width, height: picture.height, bytes: bytes.count))
            try await blobs.write(bytes, as: payload.input_blob)
            var submission = JobSubmission(
                id: id, kind: "dream_weaver.render", queue: "media",
                payload: String(decoding: try JSONEncoder().encode(payload), as: UTF8.self), maxAttempts: maxAttempts,
                backoff: BackoffPolicy(baseMilliseconds: 50, maxMilliseconds: 200), leaseMilliseconds: leaseMilliseconds)
            submission.traceParent = traceParent
            submission.affinity = DreamWeaverRender.affinity(of: payload)
            submissions.append(submission)
        }
        _ = try await broker.enqueue(submissions)
        return submissions.map(\.id)
    }

    func snapshot(_ id: String) async throws -> JobSnapshot? {
        try await broker.job(queue: "media", id: id)
    }

    func waitForState(_ id: String, _ states: Set<JobState>, limit: Duration = .seconds(60)) async throws -> JobSnapshot {
        try await eventually("job \(id) reaches \(states)", limit: limit) {
            guard let state = try await snapshot(id)?.state else { return false }
            return states.contains(state)
        }
        return try await snapshot(id)!
    }
}

/// Runs services (emulators, worker service groups) as children of the test until `body`
/// ends, then cancels them.
func withServices<T: Sendable>(
    _ services: [@Sendable () async throws -> Void], _ body: () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for service in services {
            // An emulator that crashes on purpose ends its task with an error; that is the test.
            group.addTask { try? await service() }
        }
        defer { group.cancelAll() }
        return try await body()
    }
}

/// A worker in a service group of its own, so a test can drain it alone.
struct DrainableWorker: Sendable {
    let group: ServiceGroup

    init(_ worker: MediaWorker, logger: Logger) {
        group = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [.init(service: worker)], logger: logger))
    }

    func run() async throws { try await group.run() }

    func drain() async { await group.triggerGracefulShutdown() }
}
