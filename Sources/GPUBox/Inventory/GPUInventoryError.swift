public import VelocityTypes

/// Why the GPUs could not be listed.
public struct GPUInventoryError: VelocityError {
    public var code: VelocityErrorCode
    public var message: String
    public var cause: (any Error & Sendable)?

    public init(_ code: VelocityErrorCode, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }
}

extension VelocityErrorCode {
    /// nvidia-smi printed something that is not the query's CSV.
    public static let unreadableOutput: Self = "gpu_inventory_unreadable"
    /// nvidia-smi could not run or exited with an error (no driver, a GPU fell off the bus).
    public static let inventoryFailed: Self = "gpu_inventory_failed"
}
