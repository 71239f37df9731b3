/// One versioned schema change.
public struct PostgresMigration: Sendable, Hashable {
    /// Orders migrations and identifies them in `schema_migrations`; never reuse one.
    public let version: Int
    /// Recorded with the version, so a migration renamed or replaced after it ran is caught.
    public let name: String
    /// Parameterless SQL, possibly several statements.
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Brings a database's schema up to date at start-up.
///
/// Each migration runs in a transaction of its own together with the row that records it in
/// `schema_migrations`, so a migration is either fully applied and recorded or not at all.
/// Every transaction first takes a transaction-scoped advisory lock, so when several processes
/// start together one applies each migration and the others, waiting on the lock, then see it
/// recorded and skip it. Migrations already recorded are skipped; one recorded under another
/// name is an error, since the code and the database then disagree about what ran.
public struct PostgresMigrator: Sendable {
    /// `"velocity"` in ASCII: the advisory lock that serializes migrators on one database.
    public static let defaultLockKey: Int64 = 0x7665_6C6F_6369_7479

    /// The advisory lock key; processes that migrate the same database must share it.
    public let lockKey: Int64

    public init(lockKey: Int64 = PostgresMigrator.defaultLockKey) {
        self.lockKey = lockKey
    }

    /// Applies the migrations not yet recorded, in version order, and returns their versions.
    ///
    /// Throws `.migrationFailed` for duplicate versions, a recorded name that differs from the
    /// given one, or a migration whose SQL fails (the server's error is the `cause`); migrations
    /// applied before the failure stay applied.
    public func migrate(_ connection: PostgresConnection, migrations: [PostgresMigration]) async throws -> [Int] {
        let ordered = migrations.sorted { $0.version < $1.version }
        for (previous, next) in zip(ordered, ordered.dropFirst()) where previous.version == next.version {
            throw PostgresError(.migrationFailed, "migration version \(next.version) is given twice")
        }
        let lockKey = String(self.lockKey)
        try await connection.withTransaction { connection in
            try connection.query("SELECT pg_advisory_xact_lock($1::bigint)", [lockKey])
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version int PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """)
        }
        var applied: [Int] = []
        for migration in ordered {
            let didApply = try await connection.withTransaction { connection in
                try Self.apply(migration, lockKey: lockKey, on: connection)
            }
            if didApply { applied.append(migration.version) }
        }
        return applied
    }

    /// Convenience for migrations written as tuples.
    public func migrate(
        _ connection: PostgresConnection, migrations: [(version: Int, name: String, sql: String)]
    ) async throws -> [Int] {
        try await migrate(
            connection,
            migrations: migrations.map { PostgresMigration(version: $0.version, name: $0.name, sql: $0.sql) })
    }

    /// Applies one migration inside the caller's transaction; `false` if it was already recorded.
    private static func apply(
        _ migration: PostgresMigration, lockKey: String, on connection: isolated PostgresConnection
    ) throws -> Bool {
        try connection.query("SELECT pg_advisory_xact_lock($1::bigint)", [lockKey])
        let recorded = try connection.query(
            "SELECT name FROM schema_migrations WHERE version = $1::int", [String(migration.version)])
        if let row = recorded.first {
            guard row["name"] == migration.name else {
                throw PostgresError(
                    .migrationFailed,
                    "migration \(migration.version) is recorded as '\(row["name"] ?? "")' but given as '\(migration.name)'")
            }
            return false
        }
        do {
            try connection.execute(migration.sql)
        } catch let error as PostgresError {
            throw PostgresError(
                .migrationFailed, "migration \(migration.version) (\(migration.name)) failed: \(error.message)",
                sqlState: error.sqlState, cause: error)
        }
        try connection.query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1::int, $2, now())",
            [String(migration.version), migration.name])
        return true
    }
}
