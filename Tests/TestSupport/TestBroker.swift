public import Broker
import Foundation

/// A broker on the shared test Redis with a namespace of its own, so tests run in parallel.
public struct TestBroker: Sendable {
    public let broker: RedisBroker
    public let pool: RedisPool
    public let namespace: String

    /// A broker on a namespace of its own, or on `namespace` to share another's queues.
    public static func make(
        redisURL: String? = nil, namespace: String? = nil, recordOutbox: Bool = false,
        configure: (inout RedisBrokerConfiguration) -> Void = { _ in }
    ) async throws -> TestBroker {
        let url = try redisURL ?? TestServers.redisURL()
        let namespace = namespace ?? "t" + UUID().uuidString.prefix(8).lowercased()
        var configuration = RedisBrokerConfiguration(namespace: namespace, recordOutbox: recordOutbox)
        configure(&configuration)
        let pool = try await RedisPool.connect(RedisConfiguration(url: url), size: 2)
        return TestBroker(broker: RedisBroker(pool: pool, configuration: configuration), pool: pool, namespace: namespace)
    }

    /// Deletes every key of this namespace (on the test cluster, from every master) and closes
    /// the pool.
    public func tearDown() async {
        try? await pool.deleteKeys(matching: "\(namespace):*")
        await pool.close()
    }
}

/// A Postgres record store in a schema of its own, dropped at tear-down.
public struct TestRecordStore: Sendable {
    public let store: PostgresJobRecordStore
    public let pool: PostgresPool
    public let schema: String
    let url: String

    public static func make() async throws -> TestRecordStore {
        let url = try TestServers.postgresURL()
        let schema = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try await PostgresConnection.connect(url: url)
        _ = try await admin.query("CREATE SCHEMA \(schema)")
        await admin.close()
        let pool = PostgresPool(url: url, searchPath: schema, maxConnections: 2)
        let store = PostgresJobRecordStore(pool: pool)
        try await store.migrate()
        return TestRecordStore(store: store, pool: pool, schema: schema, url: url)
    }

    public func tearDown() async {
        await pool.close()
        if let admin = try? await PostgresConnection.connect(url: url) {
            _ = try? await admin.query("DROP SCHEMA \(schema) CASCADE")
            await admin.close()
        }
    }
}
