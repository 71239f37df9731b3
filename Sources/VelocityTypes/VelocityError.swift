/// What every error struct of the project has: a stable code, a message a person can act on,
/// and the error that caused it, if any.
///
/// Conforming types keep their own extra fields (an HTTP status, a libcurl code, a field name)
/// and get a uniform `description`; code that only needs to report or map a failure (the
/// worker runtime, the HTTP error middleware) reads it through this protocol.
public protocol VelocityError: Error, Sendable, CustomStringConvertible {
    var code: VelocityErrorCode { get }
    var message: String { get }
    var cause: (any Error & Sendable)? { get }
}

extension VelocityError {
    public var cause: (any Error & Sendable)? { nil }

    /// `code: message (cause: …)`.
    public var description: String {
        var text = "\(code): \(message)"
        if let cause { text += " (cause: \(cause))" }
        return text
    }
}

/// An error that knows whether trying again could succeed: a worker's failure path reads it to
/// retry a job or end it.
public protocol RetriableError: VelocityError {
    var retriable: Bool { get }
}
