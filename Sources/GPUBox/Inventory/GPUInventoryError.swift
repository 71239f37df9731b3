public import VelocityTypes

/// Why the GPUs could not be listed.
public typealias GPUInventoryError = DomainError<GPUInventoryErrorDomain>

/// The domain of `GPUInventoryError`.
public enum GPUInventoryErrorDomain: ErrorDomain {}

extension VelocityErrorCode {
    /// nvidia-smi printed something that is not the query's CSV.
    public static let unreadableOutput: Self = "gpu_inventory_unreadable"
    /// nvidia-smi could not run or exited with an error (no driver, a GPU fell off the bus).
    public static let inventoryFailed: Self = "gpu_inventory_failed"
}
