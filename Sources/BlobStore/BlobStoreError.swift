public import VelocityTypes

/// A blob store failure.
public struct BlobStoreError: VelocityError {
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
    public static let blobNotFound: Self = "blob_not_found"
    public static let blobInvalidKey: Self = "blob_invalid_key"
    public static let blobIO: Self = "blob_io"
}
