/// A stable, extensible error code: a string that clients and logs can match on.
///
/// Each error struct of the project declares its codes as static members of this type, so a
/// new code is an addition, never a breaking change to an enum.
public struct VelocityErrorCode: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
}
