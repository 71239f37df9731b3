/// A progress report during `Hydrator.hydrate`, delivered at most every 100 ms and at each
/// phase change. Byte counts cover the bytes this run must fetch (not what is already there).
public struct HydrationProgress: Sendable, Equatable {
    public enum Phase: String, Sendable {
        /// Reading the manifest and the store; checking free space.
        case planning
        /// Re-hashing blobs already in the store (`verify`).
        case verifying
        /// Fetching and hashing missing files.
        case downloading
        /// Building and switching the mode's snapshot.
        case snapshot
        case done
    }

    public var mode: String
    public var phase: Phase
    public var completedBytes: Int64
    public var totalBytes: Int64
    public var completedFiles: Int
    public var totalFiles: Int
    /// Models being fetched right now.
    public var activeModels: [String]

    public var fraction: Double? {
        totalBytes > 0 ? min(1, Double(completedBytes) / Double(totalBytes)) : nil
    }
}
