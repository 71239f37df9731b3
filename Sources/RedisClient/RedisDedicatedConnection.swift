import Synchronization

/// A connection of one caller's own to the node serving `key`, for blocking reads and streams.
/// On a Redis Cluster it moves to the key's new owner after a failure (a failover, a moved
/// slot); on one server the connection reconnects by itself.
public final class RedisDedicatedConnection: Sendable {
    private let pool: RedisPool
    private let key: String
    private let name: String
    private let current: Mutex<RedisConnection>

    private init(pool: RedisPool, key: String, name: String, connection: RedisConnection) {
        self.pool = pool
        self.key = key
        self.name = name
        self.current = Mutex(connection)
    }

    public static func open(_ pool: RedisPool, forKey key: String, name: String) async throws -> RedisDedicatedConnection {
        RedisDedicatedConnection(
            pool: pool, key: key, name: name, connection: try await pool.dedicatedConnection(forKey: key, name: name))
    }

    /// The connection to use now.
    public var connection: RedisConnection { current.withLock { $0 } }

    /// After `error` on this connection: on a cluster, tells the pool what it says and opens a
    /// connection to whichever node serves the key now. A script's own error changes nothing.
    public func recover(after error: RedisError) async {
        guard pool.configuration.isCluster,
            RedisClusterRedirection(errorMessage: error.message) != nil || error.code != .redisScript
        else { return }
        pool.learn(from: error)
        guard let fresh = try? await pool.dedicatedConnection(forKey: key, name: name) else { return }
        let old = current.withLock { connection in
            defer { connection = fresh }
            return connection
        }
        await old.close()
    }

    public func close() async {
        await connection.close()
    }
}
