import PostgresClient
import VelocityTypes
import TestSupport

/// A schema of its own for one test, so tests can run in parallel against one database without
/// seeing each other's tables, and leave nothing behind.
struct TestSchema: Sendable {
    let url: String
    let name: String

    /// Creates a fresh schema, runs `body`, and drops the schema whether `body` threw or not.
    static func with<T>(_ body: (TestSchema) async throws -> T) async throws -> T {
        let url = try TestServers.postgresURL()
        let name = "t_" + String(UInt64.random(in: .min ... .max), radix: 16)
        let admin = try await PostgresConnection.connect(url: url)
        // An identifier cannot be a parameter; `name` is generated above, never user input.
        try await admin.execute("CREATE SCHEMA \(name)")
        let schema = TestSchema(url: url, name: name)
        do {
            let value = try await body(schema)
            try await admin.execute("DROP SCHEMA \(name) CASCADE")
            await admin.close()
            return value
        } catch {
            try? await admin.execute("DROP SCHEMA \(name) CASCADE")
            await admin.close()
            throw error
        }
    }

    /// A connection whose search path is this schema only.
    func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(url: url, searchPath: name)
    }

    /// Runs `body` with a connection to this schema and closes it afterwards.
    func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await connect()
        do {
            let value = try await body(connection)
            await connection.close()
            return value
        } catch {
            await connection.close()
            throw error
        }
    }

    func pool(maxConnections: Int) -> PostgresPool {
        PostgresPool(url: url, searchPath: name, maxConnections: maxConnections)
    }
}

struct Boom: Error {}
