public import VelocityTypes

/// A failure of S3 credentials or of a request to an S3-compatible store.
public typealias S3Error = DomainError<S3ErrorDomain>

/// The domain of `S3Error`.
public enum S3ErrorDomain: ErrorDomain {}

extension VelocityErrorCode {
    /// No usable S3 credentials: the environment and the shared credentials file lack a key.
    public static let s3Credentials: Self = "s3_credentials"
    /// The store refused a request or answered something unexpected.
    public static let s3Request: Self = "s3_request_failed"
}
