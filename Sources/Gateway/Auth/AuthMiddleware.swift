import Foundation
import HTTPTypes
public import Hummingbird

/// Authenticates every request except the public paths, then applies the tenant's rate limit.
///
/// A bearer token with three dot-separated parts is a JWT; anything else is an API key.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = GatewayContext

    let keys: APIKeyStore
    let jwt: JWTAuthenticator?
    let rateLimiter: RateLimiter?
    let publicPaths: Set<String>
    /// Paths under these are public too (the dashboard's files).
    let publicPrefixes: [String]

    public init(
        keys: APIKeyStore, jwt: JWTAuthenticator?, rateLimiter: RateLimiter?,
        publicPaths: Set<String> = ["/health", "/ready"], publicPrefixes: [String] = []
    ) {
        self.keys = keys
        self.jwt = jwt
        self.rateLimiter = rateLimiter
        self.publicPaths = publicPaths
        self.publicPrefixes = publicPrefixes
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if publicPaths.contains(path) || publicPrefixes.contains(where: { path.hasPrefix($0) }) {
            return try await next(request, context)
        }
        var context = context
        let principal = try await authenticate(request)
        context.principal = principal
        context.logger[metadataKey: "tenant"] = .string(principal.tenant)
        if let rateLimiter {
            let decision = try await rateLimiter.take(tenant: principal.tenant)
            if !decision.allowed {
                let seconds = max(1, (decision.retryAfterMilliseconds + 999) / 1000)
                throw GatewayError(
                    .tooManyRequests, .rateLimited,
                    "tenant '\(principal.tenant)' is over its rate of \(rateLimiter.rate) requests/s; retry after \(seconds) s",
                    details: ["retry_after_ms": String(decision.retryAfterMilliseconds)],
                    headers: [.retryAfter: String(seconds)])
            }
        }
        return try await next(request, context)
    }

    func authenticate(_ request: Request) async throws -> Principal {
        guard let header = request.headers[.authorization] else {
            throw Self.unauthenticated("missing Authorization header; send 'Authorization: Bearer <API key or JWT>'")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw Self.unauthenticated("Authorization must be 'Bearer <API key or JWT>'")
        }
        let token = String(parts[1]).trimmingCharacters(in: .whitespaces)
        if JWTAuthenticator.looksLikeJWT(token) {
            guard let jwt else { throw Self.unauthenticated("JWTs are not accepted: no JWT secret is configured") }
            return try await jwt.principal(for: token)
        }
        guard let principal = try await keys.principal(for: token) else {
            throw Self.unauthenticated("unknown or revoked API key")
        }
        return principal
    }

    static func unauthenticated(_ message: String) -> GatewayError {
        GatewayError(.unauthorized, .unauthenticated, message, headers: [.wwwAuthenticate: "Bearer"])
    }
}
