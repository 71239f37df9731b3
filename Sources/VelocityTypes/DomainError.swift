/// The one body of the plain error structs: a code, a message and a cause, typed by the domain
/// that raised it so callers still catch `BlobStoreError` apart from `RedisError`.
///
/// A module declares an empty `ErrorDomain` and a typealias (`public typealias BlobStoreError =
/// DomainError<BlobStoreErrorDomain>`); its codes stay `VelocityErrorCode` extensions beside it.
/// Errors with fields of their own (an HTTP status, a field path) keep their own struct.
public struct DomainError<Domain: ErrorDomain>: VelocityError {
    public var code: VelocityErrorCode
    public var message: String
    public var cause: (any Error & Sendable)?

    public init(_ code: VelocityErrorCode, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `prefix code: message (cause: …)`, the prefix naming the domain where it has one.
    public var description: String {
        var text = Domain.prefix.map { "\($0) " } ?? ""
        text += "\(code): \(message)"
        if let cause { text += " (cause: \(cause))" }
        return text
    }
}

/// A family of errors sharing `DomainError`'s body; a case-less enum per module.
public protocol ErrorDomain: Sendable {
    /// A word put before the code in `description` (`redis`), or nil for none.
    static var prefix: String? { get }
}

extension ErrorDomain {
    public static var prefix: String? { nil }
}
