/// A stable, extensible error code: a string that clients and logs can match on.
///
/// Each error struct of the project declares its codes as static members of this type, in its
/// own module, so a new code is an addition, never a breaking change to an enum. The codes
/// below mean the same wherever they appear, so they are declared once here.
public struct VelocityErrorCode: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// The request (an HTTP body, a URL, a job's payload) cannot be used as given.
    public static let invalidRequest: Self = "invalid_request"
    /// Something failed that the caller cannot act on.
    public static let internalError: Self = "internal"
    /// The calling task was cancelled, or its owner shut down, and the operation aborted.
    public static let cancelled: Self = "cancelled"
}
