import PostgresClient
import VelocityTypes
import Testing

@Suite struct PostgresMigratorTests {
    /// Deliberately not idempotent (no `IF NOT EXISTS`): applying one twice would fail.
    static let migrations = [
        PostgresMigration(version: 1, name: "create widgets", sql: "CREATE TABLE widgets (id int PRIMARY KEY)"),
        PostgresMigration(
            version: 2, name: "add widget name",
            sql: "ALTER TABLE widgets ADD COLUMN name text; INSERT INTO widgets (id, name) VALUES (1, 'first')"),
        PostgresMigration(version: 3, name: "create gadgets", sql: "CREATE TABLE gadgets (id int)"),
    ]

    @Test func appliesOnceAndSkipsWhatRan() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                let migrator = PostgresMigrator()
                let first = try await migrator.migrate(connection, migrations: Array(Self.migrations.prefix(2)))
                #expect(first == [1, 2])
                let again = try await migrator.migrate(connection, migrations: Array(Self.migrations.prefix(2)))
                #expect(again == [])
                // Given out of order, as tuples: only the new one runs.
                let third = try await migrator.migrate(
                    connection,
                    migrations: Self.migrations.reversed().map { (version: $0.version, name: $0.name, sql: $0.sql) })
                #expect(third == [3])

                let recorded = try await connection.query(
                    "SELECT version::text, name, applied_at IS NOT NULL AS stamped FROM schema_migrations ORDER BY version")
                #expect(recorded.rows == Self.migrations.map { [String($0.version), $0.name, "t"] })
                #expect(try await connection.query("SELECT name FROM widgets")[0]["name"] == "first")
            }
        }
    }

    @Test func renamedMigrationIsAnError() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                let migrator = PostgresMigrator()
                _ = try await migrator.migrate(connection, migrations: [Self.migrations[0]])
                let renamed = PostgresMigration(version: 1, name: "something else", sql: Self.migrations[0].sql)
                let error = try await #require(throws: PostgresError.self) {
                    try await migrator.migrate(connection, migrations: [renamed])
                }
                #expect(error.code == .migrationFailed)
            }
        }
    }

    @Test func failedMigrationLeavesNoTrace() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                let broken = PostgresMigration(version: 2, name: "broken", sql: "CREATE TABLE partial (id int); SELEC 1")
                let error = try await #require(throws: PostgresError.self) {
                    try await PostgresMigrator().migrate(connection, migrations: [Self.migrations[0], broken])
                }
                #expect(error.code == .migrationFailed)
                #expect(error.sqlState == "42601")
                #expect((error.cause as? PostgresError)?.code == .queryFailed)
                let recorded = try await connection.query("SELECT version::text FROM schema_migrations")
                #expect(recorded.rows == [["1"]])
                let partial = try await connection.query("SELECT to_regclass('partial')::text AS t")
                #expect(partial[0]["t"] == nil)
            }
        }
    }

    @Test func duplicateVersionsAreRejected() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                let error = try await #require(throws: PostgresError.self) {
                    try await PostgresMigrator().migrate(
                        connection, migrations: [Self.migrations[0], Self.migrations[0]])
                }
                #expect(error.code == .migrationFailed)
            }
        }
    }

    @Test func concurrentMigratorsApplyEachVersionOnce() async throws {
        try await TestSchema.with { schema in
            let first = try await schema.connect()
            let second = try await schema.connect()
            async let a = PostgresMigrator().migrate(first, migrations: Self.migrations)
            async let b = PostgresMigrator().migrate(second, migrations: Self.migrations)
            let (fromFirst, fromSecond) = try await (a, b)
            #expect(Set(fromFirst).isDisjoint(with: fromSecond))
            #expect((fromFirst + fromSecond).sorted() == [1, 2, 3])
            let count = try await first.query("SELECT count(*) AS n FROM schema_migrations")[0]["n"]
            #expect(count == "3")
            await first.close()
            await second.close()
        }
    }
}
