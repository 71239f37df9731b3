public import Foundation
public import PostgresClient
import VelocityTypes

/// The webhook tables: tenants' settings and secrets, deliveries and their attempts.
public struct WebhookStore: Sendable {
    public let postgres: PostgresPool

    public init(postgres: PostgresPool) {
        self.postgres = postgres
    }

    // MARK: settings and secrets

    public struct Settings: Sendable, Equatable {
        /// Where jobs without a `webhook_url` of their own report; nil for nowhere.
        public var url: String?
        public var events: [String]

        public init(url: String?, events: [String]) {
            self.url = url
            self.events = events
        }
    }

    public func settings(tenant: String) async throws -> Settings? {
        try await postgres.withConnection { connection in
            let rows = try await connection.query("SELECT url, events FROM webhook_settings WHERE tenant = $1", [tenant])
            guard let row = rows.first else { return nil }
            return Settings(url: row["url"], events: (row["events"] ?? "").split(separator: ",").map(String.init))
        }
    }

    public func setSettings(tenant: String, _ settings: Settings) async throws {
        try await postgres.withConnection { connection in
            _ = try await connection.query(
                """
                INSERT INTO webhook_settings (tenant, url, events, updated_at) VALUES ($1, $2, $3, now())
                ON CONFLICT (tenant) DO UPDATE SET url = EXCLUDED.url, events = EXCLUDED.events, updated_at = now()
                """, [tenant, settings.url, settings.events.joined(separator: ",")])
        }
    }

    /// A secret that signs, and when it stops (nil: it is the current one).
    public struct SecretInfo: Sendable, Equatable {
        public var id: String
        /// `whsec_…`: for the tenant's operators, who configure their receivers with it.
        public var secret: String
        public var createdAt: String
        public var expiresAt: String?
    }

    /// The tenant's secrets that still sign, newest first; the first call makes one.
    public func signingSecrets(tenant: String) async throws -> [WebhookSecret] {
        try await postgres.withConnection { connection in
            var rows = try await connection.query(Self.activeSecrets, [tenant])
            if rows.isEmpty {
                _ = try await connection.query(
                    """
                    INSERT INTO webhook_secrets (id, tenant, secret)
                    SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM webhook_secrets WHERE tenant = $2)
                    """,
                    [
                        "whsk_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""), tenant,
                        WebhookSecret.generate().text,
                    ])
                rows = try await connection.query(Self.activeSecrets, [tenant])
            }
            return try rows.compactMap { row in try row["secret"].map { try WebhookSecret($0) } }
        }
    }

    /// A new secret that signs from now on; the ones before it keep signing for `overlap`, so
    /// receivers can switch without missing a message.
    public func rotateSecret(tenant: String, overlap: Duration) async throws -> (id: String, secret: WebhookSecret) {
        let secret = WebhookSecret.generate()
        let id = "whsk_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try await postgres.withConnection { connection in
            try await connection.withTransaction { connection in
                _ = try connection.query(
                    """
                    UPDATE webhook_secrets SET expires_at = now() + make_interval(secs => $2::double precision)
                    WHERE tenant = $1 AND (expires_at IS NULL OR expires_at > now() + make_interval(secs => $2::double precision))
                    """, [tenant, String(overlap.components.seconds)])
                _ = try connection.query(
                    "INSERT INTO webhook_secrets (id, tenant, secret) VALUES ($1, $2, $3)", [id, tenant, secret.text])
            }
        }
        return (id, secret)
    }

    public func secrets(tenant: String) async throws -> [SecretInfo] {
        try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT id, secret, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created,
                       to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS expires
                FROM webhook_secrets WHERE tenant = $1 AND (expires_at IS NULL OR expires_at > now())
                ORDER BY created_at DESC
                """, [tenant]
            ).map {
                SecretInfo(
                    id: $0["id"] ?? "", secret: $0["secret"] ?? "", createdAt: $0["created"] ?? "", expiresAt: $0["expires"])
            }
        }
    }

    static let activeSecrets = """
        SELECT secret FROM webhook_secrets WHERE tenant = $1 AND (expires_at IS NULL OR expires_at > now())
        ORDER BY created_at DESC
        """
}
