public import Broker

/// A box agent failure: a bad configuration, a backend that would not start, a failed probe.
public typealias AgentError = DomainError<AgentErrorDomain>

/// The domain of `AgentError`.
public enum AgentErrorDomain: ErrorDomain {}

extension VelocityErrorCode {
    public static let invalidConfiguration: Self = "invalid_configuration"
    public static let backendStartFailed: Self = "backend_start_failed"
    public static let backendNotReady: Self = "backend_not_ready"
    public static let backendExited: Self = "backend_exited"
}
