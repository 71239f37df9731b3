import Foundation

/// The layout of the content-addressed store under an NVMe root:
///
/// ```
/// <root>/blobs/sha256/<hex>                 verified, immutable model files
/// <root>/blobs/sha256/<hex>.incomplete      a download in progress (sparse, full size)
/// <root>/blobs/sha256/<hex>.incomplete.json which ranges of it are complete
/// <root>/snapshots/<mode> -> <mode>.<id>    the live snapshot, swapped atomically
/// <root>/snapshots/<mode>.<id>/checkpoints/<file> -> ../../blobs/sha256/<hex>
/// <root>/snapshots/<mode>.<id>/extra_model_paths.yaml, llm-model-path
/// <root>/.lock                              held by hydrate and gc
/// ```
public struct ContentStore: Sendable {
    public let root: String

    /// A relative `root` is taken from the current directory: the paths written for backends
    /// must be absolute.
    public init(root: String) {
        var root = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        while root.count > 1 && root.hasSuffix("/") { root.removeLast() }
        self.root = root
    }

    public var blobDirectory: String { root + "/blobs/sha256" }
    public var snapshotsDirectory: String { root + "/snapshots" }
    var lockPath: String { root + "/.lock" }

    public func blobPath(_ sha256: String) -> String { blobDirectory + "/" + sha256 }
    func incompletePath(_ sha256: String) -> String { blobPath(sha256) + ".incomplete" }
    func resumeStatePath(_ sha256: String) -> String { incompletePath(sha256) + ".json" }

    /// The stable path of a mode's live snapshot (a symlink to the current build of it).
    public func snapshotPath(mode: String) -> String { snapshotsDirectory + "/" + mode }
    public func extraModelPathsFile(mode: String) -> String { snapshotPath(mode: mode) + "/extra_model_paths.yaml" }
    public func llmModelPathFile(mode: String) -> String { snapshotPath(mode: mode) + "/llm-model-path" }

    /// Whether `name` in the blob directory is a finished blob's name (64 lowercase hex digits).
    static func isBlobName(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
