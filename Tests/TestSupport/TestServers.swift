import Foundation

/// Where the test Redis and PostgreSQL servers listen.
///
/// `ops/test.sh` starts them (and a Redis Cluster) on loopback with ports and data directories of
/// their own and exports these variables; a test run without them fails loudly rather than skipping.
public enum TestServers {
    public struct Missing: Error, CustomStringConvertible {
        public let variable: String
        public var description: String {
            "\(variable) is not set: run the tests through ops/test.sh, which starts Redis and PostgreSQL on loopback"
        }
    }

    /// The shared test Redis: `redis://127.0.0.1:PORT`, or the cluster's URL when ops/test.sh
    /// runs the suite on the cluster (`VELOCITY_TEST_REDIS=cluster`).
    public static func redisURL() throws -> String { try variable("VELOCITY_TEST_REDIS_URL") }

    /// `redis://127.0.0.1:PORT` of the shared single test server, whichever Redis the suite runs
    /// on: for what speaks to one server by definition (a `RedisConnection`).
    public static func redisServerURL() throws -> String {
        if let url = ProcessInfo.processInfo.environment["VELOCITY_TEST_REDIS_SERVER_URL"], !url.isEmpty { return url }
        return try redisURL()
    }

    /// `redis-cluster://127.0.0.1:P1,…` of the shared test Redis Cluster (3 masters, 3 replicas).
    public static func redisClusterURL() throws -> String { try variable("VELOCITY_TEST_REDIS_CLUSTER_URL") }

    /// `postgresql://USER@127.0.0.1:PORT/DB` of the shared test PostgreSQL.
    public static func postgresURL() throws -> String { try variable("VELOCITY_TEST_POSTGRES_URL") }

    private static func variable(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw Missing(variable: name)
        }
        return value
    }
}
