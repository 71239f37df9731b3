import CurlClient
import Foundation
import Logging
import NIOPosix
import S3
import VelocityTypes

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Stages a mode's models onto the NVMe store and switches the mode's snapshot to them.
///
/// The box agent calls `hydrate(mode:progress:)` as the hydration step of a mode switch; the
/// `velocity hydrate` command is a front end to the same calls:
///
/// ```swift
/// let hydrator = Hydrator(HydrationConfiguration(root: "/nvme/models", manifestDirectory: "hydration"))
/// let report = try await hydrator.hydrate(mode: "media") { progress in … }
/// // ComfyUI: --extra-model-paths-config report.extraModelPathsFile
/// // SGLang:  --model-path report.llmModelPath
/// try await hydrator.shutdown()
/// ```
///
/// A hydrate checks free space for every missing byte before writing anything, fetches
/// missing blobs (resuming `.incomplete` downloads), verifies each against the manifest's
/// sha256, and only then swaps the mode's snapshot, so a running backend never sees a
/// half-staged mode. Blocking file work and hashing run on the hydrator's own thread pool and
/// transfers on libcurl threads, never on Swift's cooperative pool. One hydrate or gc at a
/// time per store (an advisory lock; a second one fails with `busy`).
public final class Hydrator: Sendable {
    public let configuration: HydrationConfiguration
    public let store: ContentStore
    let pool: NIOThreadPool
    let fetcher: CurlRangeFetcher

    public init(_ configuration: HydrationConfiguration) {
        self.configuration = configuration
        store = ContentStore(root: configuration.root)
        let files = max(1, configuration.parallelFiles)
        // One hashing thread per file in flight, plus room for copies, fsyncs and sidecars.
        pool = NIOThreadPool(numberOfThreads: files + 2)
        pool.start()
        var fetcherConfiguration = CurlRangeFetcher.Configuration()
        fetcherConfiguration.maxConcurrentTransfers = files * max(1, configuration.rangesPerFile)
        fetcherConfiguration.lowSpeedSeconds = max(1, configuration.stallSeconds)
        fetcher = CurlRangeFetcher(configuration: fetcherConfiguration)
    }

    /// Stops the threads; call once done (`withHydrator` does).
    public func shutdown() async throws {
        try await fetcher.shutdown()
        try await pool.shutdownGracefully()
    }

    /// Runs `body` with a new hydrator and shuts it down after, however it ends.
    public static func withHydrator<T: Sendable>(
        _ configuration: HydrationConfiguration, _ body: (Hydrator) async throws -> T
    ) async throws -> T {
        let hydrator = Hydrator(configuration)
        do {
            let result = try await body(hydrator)
            try await hydrator.shutdown()
            return result
        } catch {
            try? await hydrator.shutdown()
            throw error
        }
    }

    /// Stages `mode`'s manifest and makes `<root>/snapshots/<mode>` point at it.
    ///
    /// Throws `HydrationError`: `invalid_manifest` (naming the entry), `insufficient_space`
    /// (nothing written), `digest_mismatch` (after the file retries; nothing left in place),
    /// `source_failed` (after the range retries; the `.incomplete` file stays for a resume),
    /// `invalid_safetensors`, `credentials`, `io`, `busy`.
    public func hydrate(
        mode: String, progress: @escaping @Sendable (HydrationProgress) -> Void = { _ in }
    ) async throws -> HydrationReport {
        let started = ContinuousClock.now
        let manifest = try ManifestLoader.load(mode: mode, directory: configuration.manifestDirectory)
        let meter = ProgressMeter(mode: mode, sink: progress)
        meter.begin(.planning)
        let unique = Self.uniqueFiles(manifest)
        try await checkFreeSpace(for: unique)
        let requests = try makeRequests(for: unique)

        let lock = try await pool.runIfActive { [store] () throws -> Int32 in
            try BlockingIO.makeDirectories(store.blobDirectory)
            try BlockingIO.makeDirectories(store.snapshotsDirectory)
            return try BlockingIO.lockExclusive(store.lockPath)
        }
        defer { close(lock) }

        var repaired: Set<String> = []
        if configuration.verify {
            let present = try await pool.runIfActive { [store] in
                unique.filter { BlockingIO.fileSize(store.blobPath($0.sha256)) != nil }
            }
            meter.begin(.verifying, totalBytes: present.reduce(0) { $0 + $1.size }, totalFiles: present.count)
            let bad = try await verifyBlobs(present, meter: meter)
            for file in bad {
                configuration.logger.warning(
                    "blob does not match its digest; removing it to fetch again",
                    metadata: ["model": "\(file.model)", "sha256": "\(file.sha256)"])
                try await pool.runIfActive { [store] in BlockingIO.remove(store.blobPath(file.sha256)) }
                repaired.insert(file.model)
            }
        }

        let missing = try await pool.runIfActive { [store] in
            unique.filter { BlockingIO.fileSize(store.blobPath($0.sha256)) != $0.size }
        }
        meter.begin(.downloading, totalBytes: missing.reduce(0) { $0 + $1.size }, totalFiles: missing.count)
        let blobs = BlobFetcher(
            store: store, configuration: configuration, pool: pool, fetcher: fetcher, requests: requests, meter: meter)
        let fetched = try await fetchAll(missing, with: blobs)

        meter.begin(.snapshot)
        let target = try await pool.runIfActive { [self] in try buildSnapshot(manifest) }
        meter.begin(.done)
        let elapsed = ContinuousClock.now - started
        return report(
            manifest, target: target, fetched: fetched, repaired: repaired,
            elapsed: elapsed.inSeconds)
    }

    /// Downloads up to `parallelFiles` files at once; returns bytes fetched per digest.
    private func fetchAll(_ files: [ManifestFile], with blobs: BlobFetcher) async throws -> [String: Int64] {
        try await withThrowingTaskGroup(of: (String, Int64).self) { group in
            var fetched: [String: Int64] = [:]
            var next = files.makeIterator()
            var running = 0
            while running < max(1, configuration.parallelFiles), let file = next.next() {
                group.addTask { (file.sha256, try await blobs.stage(file)) }
                running += 1
            }
            while let (digest, bytes) = try await group.next() {
                fetched[digest] = bytes
                if let file = next.next() {
                    group.addTask { (file.sha256, try await blobs.stage(file)) }
                }
            }
            return fetched
        }
    }

    /// One entry per digest: the same blob named twice (or by two models) is fetched once.
    static func uniqueFiles(_ manifest: HydrationManifest) -> [ManifestFile] {
        var seen: Set<String> = []
        return manifest.files.filter { seen.insert($0.sha256).inserted }
    }

    /// Refuses, before anything is written, when the missing bytes do not fit.
    private func checkFreeSpace(for files: [ManifestFile]) async throws {
        let (needed, free) = try await pool.runIfActive { [store, configuration] () throws -> (Int64, Int64) in
            var needed: Int64 = 0
            for file in files where BlockingIO.fileSize(store.blobPath(file.sha256)) != file.size {
                // A partial download already holds some of its blocks.
                let held = min(file.size, BlockingIO.allocatedBytes(store.incompletePath(file.sha256)))
                needed += file.size - held
            }
            let free = try configuration.freeSpaceProbe?(store.root) ?? BlockingIO.freeBytes(store.root)
            return (needed, free)
        }
        if needed + configuration.reserveBytes > free {
            throw HydrationError(
                .insufficientSpace,
                "\(store.root) has \(ByteCount.format(free)) free; the missing models need \(ByteCount.format(needed))"
                    + (configuration.reserveBytes > 0 ? " plus a reserve of \(ByteCount.format(configuration.reserveBytes))" : "")
                    + ". Nothing was written: free space (velocity hydrate gc removes unreferenced blobs) or use another --root")
        }
    }

    private func makeRequests(for files: [ManifestFile]) throws -> SourceRequests {
        let needsS3 = files.contains { if case .s3 = $0.source { true } else { false } }
        let signer =
            needsS3
            ? SigV4Signer(
                credentials: try AWSCredentials.resolve(
                    environment: configuration.environment, credentialsFile: configuration.awsCredentialsFile))
            : nil
        let token = configuration.environment["HF_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return SourceRequests(signer: signer, huggingFaceToken: token)
    }

    private func report(
        _ manifest: HydrationManifest, target: String, fetched: [String: Int64], repaired: Set<String>, elapsed: Double
    ) -> HydrationReport {
        var counted: Set<String> = []
        let models = manifest.models.map { model -> HydrationReport.Model in
            var fetchedBytes: Int64 = 0
            for file in model.files where counted.insert(file.sha256).inserted { fetchedBytes += fetched[file.sha256] ?? 0 }
            let state: HydrationReport.Model.State =
                repaired.contains(model.name)
                ? .repaired : (fetchedBytes > 0 || model.files.contains { fetched[$0.sha256] != nil } ? .fetched : .present)
            return HydrationReport.Model(
                name: model.name, kind: model.kind.rawValue, destination: model.destination, files: model.files.count,
                bytes: model.files.reduce(0) { $0 + $1.size }, fetchedBytes: fetchedBytes, state: state)
        }
        let snapshot = store.snapshotPath(mode: manifest.mode)
        return HydrationReport(
            mode: manifest.mode, snapshotDirectory: snapshot, snapshotTarget: target,
            extraModelPathsFile: store.extraModelPathsFile(mode: manifest.mode),
            llmModelPath: manifest.llmModel.map { snapshot + "/" + $0.destination }, models: models,
            totalBytes: manifest.totalBytes, fetchedBytes: fetched.values.reduce(0, +),
            repairedModels: repaired.sorted(), elapsedSeconds: elapsed)
    }
}

/// Human byte counts for messages: `6.46 GiB`.
enum ByteCount {
    static func format(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while abs(value) >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.2f %@", value, units[unit])
    }
}
