public import VelocityTypes

/// Errors of the platform's stores that are outcomes, not database failures.
public typealias PlatformStoreError = DomainError<PlatformStoreErrorDomain>

public enum PlatformStoreErrorDomain: ErrorDomain {}

extension VelocityErrorCode {
    /// A step's checkpoint is not where the step left it: another attempt of the step moved it.
    public static let checkpointMoved: Self = "checkpoint_moved"
    /// No batch of that id for the tenant.
    public static let batchNotFound: Self = "batch_not_found"
    /// The batch is not in a state that allows the operation (commit before review…).
    public static let batchNotReady: Self = "batch_not_ready"
    /// A review names a proposal that is not one of the batch's.
    public static let proposalNotInBatch: Self = "proposal_not_in_batch"
    /// A review names a proposal that takes no more decisions (committed, skipped), or a
    /// decision its kind does not take (merging a lead).
    public static let proposalNotOpen: Self = "proposal_not_open"
    /// A merge target that is not one of the tenant's records.
    public static let unknownMergeTarget: Self = "unknown_merge_target"
}
