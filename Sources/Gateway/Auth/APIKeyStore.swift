public import Broker
import Crypto
import Foundation
import VelocityTypes

/// Bearer API keys, stored as SHA-256 digests so the database never holds a usable secret.
///
/// A key reads `vj_<id>_<secret>`; its id is public (logs, revocation), its secret shown once.
/// A presented key is found by its id and its digest compared in constant time, so how long a
/// refusal takes tells nothing of how close a guess came. Keys are cached by id for `cacheTTL`
/// so a busy client costs no query per request; revocation takes effect within that time.
public actor APIKeyStore {
    public struct CreatedKey: Sendable {
        /// The full bearer token; shown once, never stored.
        public var token: String
        public var id: String
        public var principal: Principal
    }

    let pool: PostgresPool
    let cacheTTL: Duration
    /// By key id: the stored digest and whose key it is (nil: no live key has this id).
    private var cache: [String: (key: (digest: String, principal: Principal)?, until: ContinuousClock.Instant)] = [:]

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
        guard let id = Self.keyID(of: token) else { return nil }
        let now = ContinuousClock.now
        let key: (digest: String, principal: Principal)?
        if let cached = cache[id], cached.until > now {
            key = cached.key
        } else {
            let rows = try await pool.withConnection { connection in
                try await connection.query(
                    "SELECT tenant, role, secret_sha256 FROM api_keys WHERE id = $1 AND revoked_at IS NULL", [id])
            }
            if let row = rows.first, let tenant = row["tenant"], let digest = row["secret_sha256"],
                let role = row["role"].flatMap(Principal.Role.init(rawValue:))
            {
                key = (digest, Principal(tenant: tenant, subject: "key:\(id)", role: role))
            } else {
                key = nil
            }
            if cache.count > 10_000 { cache.removeAll() }
            cache[id] = (key, now.advanced(by: cacheTTL))
        }
        guard let key, ConstantTime.equal(Array(Self.digest(token).utf8), Array(key.digest.utf8)) else { return nil }
        return key.principal
    }

    /// The public id of a `vj_<id>_<secret>` token; nil when the token does not have that shape.
    static func keyID(of token: String) -> String? {
        let parts = token.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "vj", !parts[1].isEmpty, parts[1].count <= 64, !parts[2].isEmpty else {
            return nil
        }
        return String(parts[1])
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
