public import Foundation
public import Logging

/// How `Hydrator` stages models: where, from which manifests, how parallel, how patient.
public struct HydrationConfiguration: Sendable {
    /// How the sha256 of a ranged download is computed.
    public enum Hashing: String, Sendable {
        /// While the ranges arrive: a hashing thread follows the contiguous written prefix.
        case overlapped
        /// After every range is in, in one pass over the file.
        case afterDownload = "after-download"
    }

    /// The NVMe directory holding the store (`blobs/`, `snapshots/`).
    public var root: String
    /// The directory of `media.yaml`, `llm.yaml`, `split.yaml`.
    public var manifestDirectory: String
    /// Files downloaded at once.
    public var parallelFiles = 2
    /// Byte ranges of one file downloaded at once.
    public var rangesPerFile = 4
    /// Size of one range request, and the resume granularity.
    public var chunkBytes: Int64 = 64 << 20
    public var retry = DownloadRetryPolicy()
    /// A range that moves less than 1 KiB/s for this long counts as stalled and is retried.
    public var stallSeconds = 30
    /// Re-hash blobs already in the store; a blob whose bytes do not match its name is
    /// removed and fetched again.
    public var verify = false
    /// Overlapped where a core is free for the hasher; on small machines hashing after the
    /// download measured faster (bench/run hydration on 2 cores: 5.4 s vs 6.3 s for 2 GiB),
    /// because the hasher competes with the receiving threads.
    public var hashing: Hashing = ProcessInfo.processInfo.activeProcessorCount > 4 ? .overlapped : .afterDownload
    /// Space to leave free on the store's file system beyond what the models need.
    public var reserveBytes: Int64 = 0
    /// Snapshot builds kept per mode besides the live one (a backend may still read the previous).
    public var keepPreviousSnapshots = 1
    /// Where credentials come from: `AWS_*` for S3 sources, `HF_TOKEN` for huggingface.co.
    public var environment: [String: String]
    /// A shared credentials file instead of `AWS_SHARED_CREDENTIALS_FILE` / `~/.aws/credentials`.
    public var awsCredentialsFile: String?
    /// Free bytes of the file system holding a path; tests inject a small disk here.
    public var freeSpaceProbe: (@Sendable (String) throws -> Int64)?
    public var logger: Logger

    public init(
        root: String, manifestDirectory: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "velocity.hydrate")
    ) {
        self.root = root
        self.manifestDirectory = manifestDirectory
        self.environment = environment
        self.logger = logger
    }
}
