/// An error from the broker, its system of record, or the rules they enforce.
public struct BrokerError: VelocityError {
    public var code: VelocityErrorCode
    public var message: String
    /// The submission field at fault, for validation errors; the reply field, for a reply of
    /// the wrong shape.
    public var field: String?
    public var cause: (any Error & Sendable)?

    public init(_ code: VelocityErrorCode, _ message: String, field: String? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.cause = cause
    }
}

extension VelocityErrorCode {
    /// The lease presented is not the job's current attempt: another worker owns it now, or the
    /// job already ended. The stale worker must drop the job.
    public static let staleAttempt: Self = "stale_attempt"
    public static let jobNotFound: Self = "job_not_found"
    public static let jobNotDead: Self = "job_not_dead"
    public static let invalidJob: Self = "invalid_job"
    /// A weight, cap or rate limit the scripts could not apply.
    public static let invalidLimits: Self = "invalid_limits"
    public static let payloadTooLarge: Self = "payload_too_large"
    public static let resultTooLarge: Self = "result_too_large"
    /// The broker's storage failed; the operation may be retried.
    public static let brokerUnavailable: Self = "broker_unavailable"
    public static let recordStoreUnavailable: Self = "record_store_unavailable"
    /// A reply of the broker's storage is not of the shape the broker wrote: a bug, or scripts
    /// of another version.
    public static let malformedReply: Self = "broker_malformed_reply"
}
