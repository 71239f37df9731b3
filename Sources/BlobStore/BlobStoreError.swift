public import VelocityTypes

/// A blob store failure.
public typealias BlobStoreError = DomainError<BlobStoreErrorDomain>

/// The domain of `BlobStoreError`.
public enum BlobStoreErrorDomain: ErrorDomain {}

extension VelocityErrorCode {
    public static let blobNotFound: Self = "blob_not_found"
    public static let blobInvalidKey: Self = "blob_invalid_key"
    public static let blobIO: Self = "blob_io"
}
