public import Broker
import Crypto
import Foundation
import VelocityTypes

/// Bearer API keys, stored as SHA-256 digests so the database never holds a usable secret.
///
/// A key reads `vj_<id>_<secret>`; its id is public (logs, revocation), its secret shown once.
/// Verified keys are cached for `cacheTTL` so a busy client costs no query per request;
/// revocation takes effect within that time.
public actor APIKeyStore {
    public struct CreatedKey: Sendable {
        /// The full bearer token; shown once, never stored.
        public var token: String
        public var id: String
        public var principal: Principal
    }

    let pool: PostgresPool
    let cacheTTL: Duration
    private var cache: [String: (principal: Principal?, until: ContinuousClock.Instant)] = [:]

    public init(pool: PostgresPool, cacheTTL: Duration = .seconds(30)) {
        self.pool = pool
        self.cacheTTL = cacheTTL
    }

    /// Creates a key for `tenant` with `role`.
    public func create(tenant: String, role: Principal.Role, name: String = "") async throws -> CreatedKey {
        guard Self.isValidTenant(tenant) else {
            throw GatewayError.invalid(field: "tenant", "must be 1-64 letters, digits, '-', '_' or '.'")
        }
        let id = Self.randomToken(bytes: 6)
        let secret = Self.randomToken(bytes: 24)
        let token = "vj_\(id)_\(secret)"
        _ = try await pool.withConnection { connection in
            try await connection.query(
                "INSERT INTO api_keys (id, tenant, role, secret_sha256, name) VALUES ($1, $2, $3, $4, $5)",
                [id, tenant, role.rawValue, Self.digest(token), name])
        }
        return CreatedKey(token: token, id: id, principal: Principal(tenant: tenant, subject: "key:\(id)", role: role))
    }

    /// Revokes a key by id; true when a live key was revoked.
    public func revoke(id: String) async throws -> Bool {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", [id])
        }
        cache.removeAll()
        return rows.affectedRows > 0
    }

    /// The caller a token belongs to, or nil for an unknown or revoked key.
    public func principal(for token: String) async throws -> Principal? {
        let now = ContinuousClock.now
        if let cached = cache[token], cached.until > now { return cached.principal }
        let digest = Self.digest(token)
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                "SELECT id, tenant, role FROM api_keys WHERE secret_sha256 = $1 AND revoked_at IS NULL", [digest])
        }
        var principal: Principal?
        if let row = rows.first, let id = row["id"], let tenant = row["tenant"],
            let role = row["role"].flatMap(Principal.Role.init(rawValue:))
        {
            principal = Principal(tenant: tenant, subject: "key:\(id)", role: role)
        }
        if cache.count > 10_000 { cache.removeAll() }
        cache[token] = (principal, now.advanced(by: cacheTTL))
        return principal
    }

    static func digest(_ token: String) -> String {
        Hex.lowercase(SHA256.hash(data: Data(token.utf8)))
    }

    static func randomToken(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "A").replacingOccurrences(of: "/", with: "B")
            .replacingOccurrences(of: "=", with: "")
    }

    static func isValidTenant(_ tenant: String) -> Bool {
        !tenant.isEmpty && tenant.count <= 64
            && tenant.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0) }
            && tenant.allSatisfy(\.isASCII)
    }
}
