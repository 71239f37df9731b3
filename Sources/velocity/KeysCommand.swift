import ArgumentParser
import Broker
import Foundation
import Gateway

/// `velocity keys create|revoke`: API keys of the gateway.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create and revoke the gateway's API keys.",
        subcommands: [Create.self, Revoke.self])

    struct Database: ParsableArguments {
        @Option(help: "PostgreSQL URL (default: $VELOCITY_POSTGRES_URL).")
        var postgresURL: String?

        @Option(help: "PostgreSQL schema (default: $VELOCITY_POSTGRES_SCHEMA, else the search path).")
        var postgresSchema: String?

        func store() async throws -> (APIKeyStore, PostgresPool) {
            let environment = ProcessInfo.processInfo.environment
            guard let url = postgresURL ?? environment["VELOCITY_POSTGRES_URL"] else {
                throw ValidationError("no PostgreSQL URL: pass --postgres-url or set VELOCITY_POSTGRES_URL")
            }
            let pool = PostgresPool(
                url: url, searchPath: postgresSchema ?? environment["VELOCITY_POSTGRES_SCHEMA"], maxConnections: 1)
            try await pool.withConnection { connection in
                _ = try await PostgresMigrator().migrate(connection, migrations: GatewayMigrations.withJobRecords)
            }
            return (APIKeyStore(pool: pool), pool)
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key; its token is printed once and stored only as a SHA-256 digest.")

        @OptionGroup var database: Database

        @Option(help: "Tenant whose jobs the key sees.")
        var tenant: String

        @Option(help: "submitter, reviewer, operator or admin.")
        var role: String = "submitter"

        @Option(help: "A label for the key.")
        var name: String = ""

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            guard let role = Principal.Role(rawValue: role) else {
                throw ValidationError("--role must be submitter, reviewer, operator or admin, not '\(self.role)'")
            }
            let (store, pool) = try await database.store()
            let key: APIKeyStore.CreatedKey
            do {
                key = try await store.create(tenant: tenant, role: role, name: name)
            } catch let error as GatewayError {
                await pool.close()
                throw ValidationError(error.message)
            }
            await pool.close()
            if json {
                let object = ["id": key.id, "token": key.token, "tenant": tenant, "role": role.rawValue]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(key.token)
                FileHandle.standardError.write(
                    Data("key \(key.id) for tenant \(tenant) (\(role.rawValue)); the token is not shown again\n".utf8))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by its id (the part after vj_).")

        @OptionGroup var database: Database

        @Argument(help: "Key id.")
        var id: String

        func run() async throws {
            let (store, pool) = try await database.store()
            let revoked = try await store.revoke(id: id)
            await pool.close()
            guard revoked else { throw ValidationError("no live key with id \(id)") }
            print("revoked \(id)")
        }
    }
}
