public import VelocityTypes

/// A failure a handler reports on purpose, saying whether another attempt could succeed.
public struct JobError: RetriableError {
    public var code: VelocityErrorCode
    public var message: String
    public var retriable: Bool
    public var cause: (any Error & Sendable)?

    public init(code: VelocityErrorCode, message: String, retriable: Bool, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.retriable = retriable
        self.cause = cause
    }
}

extension VelocityErrorCode {
    /// The job was canceled while it ran.
    public static let canceled: Self = "canceled"
    /// The worker stopped (drain past its deadline, shutdown) before the job finished; the
    /// attempt is given back unspent.
    public static let workerStopped: Self = "worker_stopped"
    /// The handler failed with an error that says nothing more specific.
    public static let handlerError: Self = "handler_error"
}
