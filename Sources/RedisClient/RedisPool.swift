import Synchronization

/// A small set of connections shared round-robin.
///
/// Every command (and every script) is a single isolated call on its connection's actor, so
/// callers can share connections without leasing them; commands queue on the busiest one at worst.
/// Blocking commands must not go through a pool: give each blocking waiter its own connection.
public final class RedisPool: Sendable {
    public let configuration: RedisConfiguration
    private let connections: [RedisConnection]
    private let next = Atomic<Int>(0)

    private init(configuration: RedisConfiguration, connections: [RedisConnection]) {
        self.configuration = configuration
        self.connections = connections
    }

    /// Opens `size` connections up front so a misconfigured URL fails at start-up.
    public static func connect(_ configuration: RedisConfiguration, size: Int = 4) async throws -> RedisPool {
        precondition(size > 0, "a pool needs at least one connection")
        var connections: [RedisConnection] = []
        do {
            for i in 0..<size {
                connections.append(try await RedisConnection.connect(configuration, name: "velocity-redis-pool-\(i)"))
            }
        } catch {
            for connection in connections { await connection.close() }
            throw error
        }
        return RedisPool(configuration: configuration, connections: connections)
    }

    /// The next connection in turn.
    public func connection() -> RedisConnection {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        return connections[Int(UInt(bitPattern: index) % UInt(connections.count))]
    }

    @discardableResult
    public func send(_ command: RedisCommand) async throws -> RESPValue {
        try await connection().send(command)
    }

    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String]) async throws -> RESPValue {
        try await connection().evaluate(script, keys: keys, arguments: arguments)
    }

    public func close() async {
        for connection in connections { await connection.close() }
    }
}
