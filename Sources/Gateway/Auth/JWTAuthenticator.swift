import Foundation
import JWTKit

/// Verifies HS256 JWTs as the platform backend issues them: `sub`, `tenant_id`, `role`, and an
/// optional `exp` that, when present, must lie in the future.
public struct JWTAuthenticator: Sendable {
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var tenant_id: String
        var role: String
        var exp: ExpirationClaim?

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp?.verifyNotExpired()
        }
    }

    let keys: JWTKeyCollection

    public init(secret: String) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
    }

    /// Whether a bearer token looks like a JWT (three dot-separated parts) rather than an API key.
    static func looksLikeJWT(_ token: String) -> Bool {
        token.utf8.lazy.filter { $0 == UInt8(ascii: ".") }.count == 2
    }

    /// The caller the token names; throws a 401 `GatewayError` for a bad signature, an expired
    /// token, or missing claims, and a 403 for an unknown role.
    public func principal(for token: String) async throws -> Principal {
        let claims: Claims
        do {
            claims = try await keys.verify(token, as: Claims.self)
        } catch {
            throw GatewayError(
                .unauthorized, .unauthenticated, "invalid token: \(Self.reason(error))",
                headers: [.wwwAuthenticate: #"Bearer error="invalid_token""#])
        }
        guard let role = Principal.Role(claim: claims.role) else {
            throw GatewayError(
                .forbidden, .forbidden,
                "token role '\(claims.role)' is not one of submitter, reviewer, operator, admin, JUNIOR_BROKER, "
                    + "SENIOR_BROKER, SALES_DIRECTOR, ADMIN")
        }
        guard APIKeyStore.isValidTenant(claims.tenant_id) else {
            throw GatewayError(.unauthorized, .unauthenticated, "invalid token: tenant_id is not a valid tenant")
        }
        return Principal(tenant: claims.tenant_id, subject: "jwt:\(claims.sub.value)", role: role)
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? JWTError {
            switch error.errorType {
            case .claimVerificationFailure: return "expired or not yet valid"
            case .signatureVerificationFailed: return "signature does not verify"
            case .malformedToken: return "malformed"
            case .missingKIDHeader, .unknownKID: return "unknown key"
            default: return "cannot be verified"
            }
        }
        if error is DecodingError { return "missing or mistyped claims (sub, tenant_id, role)" }
        return "cannot be verified"
    }
}
