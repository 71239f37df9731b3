/// What `Hydrator.hydrate` did, and where the backends find the models.
public struct HydrationReport: Sendable, Codable, Equatable {
    /// How one model was staged.
    public struct Model: Sendable, Codable, Equatable {
        public enum State: String, Sendable, Codable {
            /// Every blob was already in the store.
            case present
            /// At least one file was fetched (or copied from a local source).
            case fetched
            /// `verify` found a bad blob of it and fetched it again.
            case repaired
        }

        public var name: String
        public var kind: String
        public var destination: String
        public var files: Int
        public var bytes: Int64
        public var fetchedBytes: Int64
        public var state: State
    }

    public var mode: String
    /// The stable snapshot path (a symlink swapped atomically): `<root>/snapshots/<mode>`.
    public var snapshotDirectory: String
    /// The build the symlink points at now.
    public var snapshotTarget: String
    /// ComfyUI's `--extra-model-paths-config` file.
    public var extraModelPathsFile: String
    /// The directory the LLM server loads (`--model-path`), when the mode serves an LLM; the
    /// file `<snapshot>/llm-model-path` holds the same path for the agent to read.
    public var llmModelPath: String?
    public var models: [Model]
    public var totalBytes: Int64
    public var fetchedBytes: Int64
    /// Blobs whose content did not match their digest under `verify` (model names).
    public var repairedModels: [String]
    public var elapsedSeconds: Double
}

/// What `Hydrator.collectGarbage` removed.
public struct GarbageReport: Sendable, Codable, Equatable {
    public var removedBlobs: [String]
    public var removedIncomplete: [String]
    public var removedSnapshots: [String]
    public var freedBytes: Int64
    public var keptBlobs: Int
}

/// What `Hydrator.verify` found.
public struct VerifyReport: Sendable, Codable, Equatable {
    public var mode: String
    public var checkedBlobs: Int
    public var missing: [String]
    /// `"<model>: <digest> hashes to <other>"` for each tampered blob.
    public var mismatched: [String]
    public var isHealthy: Bool { missing.isEmpty && mismatched.isEmpty }
}
