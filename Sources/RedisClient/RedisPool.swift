import Synchronization

/// A small set of connections shared round-robin: to one server, or to each master of a Redis
/// Cluster (`RedisConfiguration.isCluster`), where every command goes to the node serving its
/// key's hash slot and `MOVED`/`ASK` redirections are followed.
///
/// Every command (and every script) is a single isolated call on its connection's actor, so
/// callers can share connections without leasing them; commands queue on the busiest one at worst.
/// Blocking commands must not go through a pool: give each blocking waiter its own connection
/// (`dedicatedConnection(forKey:name:)`).
public final class RedisPool: Sendable {
    public let configuration: RedisConfiguration
    private let connections: [RedisConnection]
    private let router: RedisClusterRouter?
    private let next = Atomic<Int>(0)

    private init(configuration: RedisConfiguration, connections: [RedisConnection], router: RedisClusterRouter?) {
        self.configuration = configuration
        self.connections = connections
        self.router = router
    }

    /// Opens `size` connections up front (a cluster: reads its slot map, and opens `size` to
    /// each master on first use) so a misconfigured URL fails at start-up.
    public static func connect(_ configuration: RedisConfiguration, size: Int = 4) async throws -> RedisPool {
        precondition(size > 0, "a pool needs at least one connection")
        if configuration.isCluster {
            let router = try await RedisClusterRouter.connect(configuration, connectionsPerNode: size)
            return RedisPool(configuration: configuration, connections: [], router: router)
        }
        var connections: [RedisConnection] = []
        do {
            for i in 0..<size {
                connections.append(try await RedisConnection.connect(configuration, name: "velocity-redis-pool-\(i)"))
            }
        } catch {
            for connection in connections { await connection.close() }
            throw error
        }
        return RedisPool(configuration: configuration, connections: connections, router: nil)
    }

    /// Runs `body` on the connection for `key` (the node serving its slot, in a cluster; any
    /// node for nil) without hopping threads between its steps. Every key `body` touches must
    /// share `key`'s hash slot. In a cluster `body` runs again when a node turned it away unrun
    /// (a redirection), so it must be safe to repeat.
    public func withConnection<T: Sendable>(
        forKey key: String?, _ body: @Sendable (isolated RedisConnection) throws -> T
    ) async throws -> T {
        if let router { return try await router.run(key: key, body) }
        return try await roundRobin().withIsolation(body)
    }

    /// A command, routed by its first argument (`RedisCommand.routingKey`): in a cluster, the
    /// node serving that key's slot; a command that names no key (`PING`, `TIME`) any node.
    @discardableResult
    public func send(_ command: RedisCommand) async throws -> RESPValue {
        try await withConnection(forKey: command.routingKey) { try $0.send(command) }
    }

    /// A command on `key` (and only keys of its hash slot).
    @discardableResult
    public func send(_ command: RedisCommand, key: String) async throws -> RESPValue {
        try await withConnection(forKey: key) { try $0.send(command) }
    }

    /// Commands on keys of one hash slot (the first command's `routingKey`), in one round trip;
    /// error replies in place. In a cluster a redirection of any of them sends the whole
    /// pipeline again to the slot's owner: only for commands that are safe to repeat (reads).
    public func pipeline(_ commands: [RedisCommand]) async throws -> [RESPValue] {
        let cluster = router != nil
        return try await withConnection(forKey: commands.first?.routingKey) { connection in
            let replies = try connection.pipeline(commands)
            if cluster {
                for case .error(let message) in replies where RedisClusterRedirection(errorMessage: message) != nil {
                    throw RedisError(.redisServer, message)
                }
            }
            return replies
        }
    }

    /// A script on `keys` (all of one hash slot), sent to the node serving the first.
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String]) async throws -> RESPValue {
        try await withConnection(forKey: keys.first) { try $0.evaluate(script, keys: keys, arguments: arguments) }
    }

    /// A connection of the caller's own, to the node serving `key`: for blocking commands and
    /// stream reads. After a failover, ask again for the new owner.
    public func dedicatedConnection(forKey key: String, name: String) async throws -> RedisConnection {
        if let router { return try await router.dedicatedConnection(forKey: key, name: name) }
        return try await RedisConnection.connect(configuration, name: name)
    }

    /// Tells a cluster's router what an error seen on a dedicated connection says (a `MOVED`:
    /// the slot's owner; a dropped node: re-read the map), so the next dedicated connection
    /// goes to the right node. Nothing to learn on one server.
    public func learn(from error: RedisError) {
        guard let router else { return }
        if let redirection = RedisClusterRedirection(errorMessage: error.message) {
            router.learn(redirection, from: nil)
        } else if error.code != .redisScript {
            router.markStale()
        }
    }

    private func roundRobin() -> RedisConnection {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return connections[Int(UInt(bitPattern: index) % UInt(connections.count))]
    }

    public func close() async {
        for connection in connections { await connection.close() }
        await router?.close()
    }
}
