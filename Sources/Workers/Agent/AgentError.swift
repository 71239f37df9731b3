public import Broker

/// A box agent failure: a bad configuration, a backend that would not start, a failed probe.
public struct AgentError: VelocityError {
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
    public static let invalidConfiguration: Self = "invalid_configuration"
    public static let backendStartFailed: Self = "backend_start_failed"
    public static let backendNotReady: Self = "backend_not_ready"
    public static let backendExited: Self = "backend_exited"
}
