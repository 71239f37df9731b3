import Foundation
public import Hummingbird
import NIOCore

/// Per-request state: who is calling, set by `AuthMiddleware`.
public struct GatewayContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Nil only on the public routes (`/health`, `/ready`).
    public var principal: Principal?
    /// JSON bodies are small; uploads stream and have their own limits.
    public var maxUploadSize: Int { 1 << 20 }

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// The caller; routes behind `AuthMiddleware` always have one.
    public func requirePrincipal() throws -> Principal {
        guard let principal else {
            throw GatewayError(.unauthorized, .unauthenticated, "authentication required")
        }
        return principal
    }

    /// The caller, if it has at least `role`; otherwise a 403.
    public func require(_ role: Principal.Role) throws -> Principal {
        let principal = try requirePrincipal()
        guard principal.role >= role else {
            throw GatewayError(
                .forbidden, .forbidden, "this route needs the \(role.rawValue) role; the caller is a \(principal.role.rawValue)")
        }
        return principal
    }

    /// A path parameter as the client meant it: percent-decoded (`a%20b` is `a b`); a 422 when
    /// its encoding is broken.
    public func parameter(_ name: String) throws -> String {
        let raw = try parameters.require(name)
        guard let decoded = raw.removingPercentEncoding else {
            throw GatewayError.invalid(field: name, "is not a valid percent-encoded path segment")
        }
        return decoded
    }
}
