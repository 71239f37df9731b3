import ArgumentParser
import Broker
import Foundation
import JobTracing
import Logging

/// Where Redis and Postgres are; flags win over `VELOCITY_REDIS_URL` / `VELOCITY_POSTGRES_URL`.
struct ConnectionOptions: ParsableArguments {
    @Option(
        help:
            "Redis URL: redis://[user:password@]host:port[/db], redis-cluster://host:port[,host:port…] for a Redis Cluster, or redis-sentinel://host:port[,…]/master for Sentinel (default: $VELOCITY_REDIS_URL, else redis://127.0.0.1:6390)."
    )
    var redisURL: String?

    @Option(help: "PostgreSQL URL of the system of record (default: $VELOCITY_POSTGRES_URL; none: Redis only).")
    var postgresURL: String?

    @Option(help: "Key namespace, so several deployments can share one Redis.")
    var namespace: String = "vj"

    var resolvedRedisURL: String {
        redisURL ?? ProcessInfo.processInfo.environment["VELOCITY_REDIS_URL"] ?? "redis://127.0.0.1:6390"
    }

    var resolvedPostgresURL: String? {
        postgresURL ?? ProcessInfo.processInfo.environment["VELOCITY_POSTGRES_URL"]
    }

    func makeBroker(recordOutbox: Bool) async throws -> RedisBroker {
        let pool = try await RedisPool.connect(RedisConfiguration(url: resolvedRedisURL), size: 4)
        return RedisBroker(pool: pool, configuration: RedisBrokerConfiguration(namespace: namespace, recordOutbox: recordOutbox))
    }

    /// The record store, migrated, if a Postgres URL is configured.
    func makeRecordStore() async throws -> PostgresJobRecordStore? {
        guard let url = resolvedPostgresURL else { return nil }
        let store = PostgresJobRecordStore(pool: PostgresPool(url: url, maxConnections: 4))
        try await store.migrate()
        return store
    }
}

extension Logger {
    static func velocity(_ label: String) -> Logger {
        // Inside a trace, each line names its trace and span.
        var logger = Logger(label: "velocity.\(label)", metadataProvider: .traceIDs)
        logger.logLevel = ProcessInfo.processInfo.environment["VELOCITY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
    }
}
