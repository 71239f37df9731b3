/// What one `CRMImportStore.commitChunk` call wrote, and where the next one reads from.
public struct CRMCommitChunk: Sendable, Equatable {
    /// Proposals committed by the chunk; 0 when none of the type is left to commit.
    public var committed: Int
    /// The seq after which the next chunk reads.
    public var cursor: Int

    public init(committed: Int, cursor: Int) {
        self.committed = committed
        self.cursor = cursor
    }
}
