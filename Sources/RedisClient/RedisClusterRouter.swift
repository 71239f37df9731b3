import Synchronization

/// A Redis Cluster client's routing: the slot map, a few connections to each master, and the
/// loop that follows `MOVED` and `ASK`, waits out `TRYAGAIN` and `CLUSTERDOWN`, and re-reads the
/// map when a node stops answering (a failover).
final class RedisClusterRouter: Sendable {
    typealias Endpoint = RedisClusterTopology.Endpoint

    let configuration: RedisConfiguration
    let connectionsPerNode: Int
    private let state: Mutex<State>

    private struct State {
        var topology = RedisClusterTopology()
        /// Re-read the whole map before the next command: a node was lost or a slot moved.
        var stale = true
        var nodes: [Endpoint: [RedisConnection]] = [:]
        var next = 0
        /// Closed by its pool: no command runs, no connection opens.
        var closed = false
    }

    /// Redirections and retries one command may take before its error is the caller's.
    static let maxAttempts = 24

    private init(configuration: RedisConfiguration, connectionsPerNode: Int) {
        self.configuration = configuration
        self.connectionsPerNode = connectionsPerNode
        self.state = Mutex(State())
    }

    /// Reads the slot map from the seeds, so a wrong URL fails at start-up.
    static func connect(_ configuration: RedisConfiguration, connectionsPerNode: Int) async throws -> RedisClusterRouter {
        let router = RedisClusterRouter(configuration: configuration, connectionsPerNode: connectionsPerNode)
        try await router.refresh()
        return router
    }

    /// Runs `body` on a connection to the master serving `key`'s slot (any master for nil),
    /// following redirections; `body` runs again only when the node refused it unrun (a
    /// redirection, or no connection).
    func run<T: Sendable>(key: String?, _ body: @Sendable (isolated RedisConnection) throws -> T) async throws -> T {
        var asking: Endpoint?
        var attempt = 0
        while true {
            attempt += 1
            if state.withLock({ $0.closed }) { throw RedisError(.redisClosed, "the Redis Cluster pool was closed") }
            let endpoint: Endpoint
            if let asking {
                endpoint = asking
            } else {
                endpoint = try await owner(of: key)
            }
            do {
                // Opening the node's connections is inside: a refused connect ran nothing.
                let connection = try await connection(to: endpoint)
                let ask = asking != nil
                return try await connection.withIsolation { connection in
                    if ask { try connection.send(RedisCommand("ASKING")) }
                    return try body(connection)
                }
            } catch let error as RedisError {
                guard attempt < Self.maxAttempts else { throw error }
                asking = nil
                if let redirection = RedisClusterRedirection(errorMessage: error.message) {
                    switch redirection {
                    case .moved:
                        learn(redirection, from: endpoint)
                    case .ask(_, let to):
                        asking = to.host.isEmpty ? Endpoint(host: endpoint.host, port: to.port) : to
                    case .retryLater:
                        try await Task.sleep(for: .milliseconds(25 * min(attempt, 8)))
                    }
                    continue
                }
                switch error.code {
                case .redisConnectionRefused:
                    // Nothing ran: the node is gone or not ready. Its slots move to a replica
                    // once the cluster notices; until then wait and re-read the map.
                    await forget(endpoint)
                    try await Task.sleep(for: .milliseconds(100 * min(attempt, 10)))
                    continue
                case .redisClosed:
                    // Nothing ran: another command dropped this node's connections a moment ago.
                    try await Task.sleep(for: .milliseconds(10 * min(attempt, 10)))
                    continue
                case .redisIO, .redisTimeout:
                    // It may have run: the caller decides. The next command re-reads the map.
                    await forget(endpoint)
                    throw error
                default:
                    throw error
                }
            }
        }
    }

    /// Takes in a `MOVED` seen anywhere (a dedicated connection too): the slot's new owner now,
    /// the whole map at the next command.
    func learn(_ redirection: RedisClusterRedirection, from endpoint: Endpoint?) {
        guard case .moved(let slot, let to) = redirection else { return markStale() }
        let target = to.host.isEmpty ? Endpoint(host: endpoint?.host ?? configuration.host, port: to.port) : to
        state.withLock {
            $0.topology.move(slot: slot, to: target)
            $0.stale = true
        }
    }

    /// Re-read the whole map before the next command (a node stopped answering somewhere).
    func markStale() {
        state.withLock { $0.stale = true }
    }

    /// A connection of the caller's own to the master serving `key` (blocking reads, streams).
    func dedicatedConnection(forKey key: String, name: String) async throws -> RedisConnection {
        var attempt = 0
        while true {
            attempt += 1
            let endpoint = try await owner(of: key)
            do {
                return try await RedisConnection.connect(configuration.node(endpoint), name: name)
            } catch let error as RedisError where error.code == .redisConnectionRefused && attempt < Self.maxAttempts {
                await forget(endpoint)
                try await Task.sleep(for: .milliseconds(100 * min(attempt, 10)))
            }
        }
    }

    /// The master serving `key`'s slot, re-reading the map first when it is stale.
    func owner(of key: String?) async throws -> Endpoint {
        if state.withLock({ $0.stale }) { try await refresh() }
        let found: Endpoint? = state.withLock { state in
            guard let key else {
                let masters = state.topology.masters
                guard !masters.isEmpty else { return nil }
                state.next &+= 1
                return masters[Int(UInt(bitPattern: state.next) % UInt(masters.count))]
            }
            return state.topology.owner(of: key)
        }
        if let found { return found }
        try await refresh()
        guard let endpoint = state.withLock({ key.map($0.topology.owner(of:)) ?? $0.topology.masters.first }) else {
            throw RedisError(
                .redisServer,
                "CLUSTERDOWN no node serves the hash slot of \(key ?? "any key") (\(configuration.clusterSeeds.map(\.description).joined(separator: ",")))"
            )
        }
        return endpoint
    }

    /// Re-reads `CLUSTER SLOTS` from the first node that answers: the known masters, then the seeds.
    func refresh() async throws {
        let candidates = state.withLock { $0.topology.masters } + configuration.clusterSeeds
        var seen = Set<Endpoint>()
        var lastError: (any Error)?
        for endpoint in candidates where seen.insert(endpoint).inserted {
            var single = configuration.node(endpoint)
            single.reconnectAttempts = 0
            let connection: RedisConnection
            do {
                connection = try await RedisConnection.connect(single, name: "velocity-redis-cluster-map")
            } catch {
                lastError = error
                continue
            }
            do {
                let reply = try await connection.send(RedisCommand("CLUSTER", ["SLOTS"]))
                await connection.close()
                let topology = try RedisClusterTopology(slotsReply: reply, fallbackHost: endpoint.host)
                let gone: [RedisConnection] = state.withLock { state in
                    state.topology = topology
                    state.stale = !topology.isComplete
                    let masters = Set(topology.masters)
                    let lost = state.nodes.filter { !masters.contains($0.key) }
                    for endpoint in lost.keys { state.nodes[endpoint] = nil }
                    return lost.values.flatMap { $0 }
                }
                for connection in gone { await connection.close() }
                return
            } catch {
                await connection.close()
                lastError = error
            }
        }
        throw RedisError(
            .redisConnectionRefused,
            "no node of the Redis Cluster answered CLUSTER SLOTS (tried \(seen.map(\.description).sorted().joined(separator: ", ")))",
            cause: lastError)
    }

    /// One of the node's connections in turn, opening them on first use.
    private func connection(to endpoint: Endpoint) async throws -> RedisConnection {
        let pick: RedisConnection? = state.withLock { state in
            guard let connections = state.nodes[endpoint], !connections.isEmpty else { return nil }
            state.next &+= 1
            return connections[Int(UInt(bitPattern: state.next) % UInt(connections.count))]
        }
        if let pick { return pick }
        var opened: [RedisConnection] = []
        var single = configuration.node(endpoint)
        // A node that does not answer is the router's to handle (re-read the map), not a
        // reason to wait out a connection's own reconnects.
        single.reconnectAttempts = 1
        do {
            for index in 0..<connectionsPerNode {
                opened.append(try await RedisConnection.connect(single, name: "velocity-redis-\(endpoint.port)-\(index)"))
            }
        } catch {
            for connection in opened { await connection.close() }
            throw error
        }
        let (chosen, extra, closed): (RedisConnection, [RedisConnection], Bool) = state.withLock { state in
            if state.closed { return (opened[0], opened, true) }
            if let existing = state.nodes[endpoint], !existing.isEmpty { return (existing[0], opened, false) }
            state.nodes[endpoint] = opened
            return (opened[0], [], false)
        }
        for connection in extra { await connection.close() }
        if closed { throw RedisError(.redisClosed, "the Redis Cluster pool was closed") }
        return chosen
    }

    /// Drops a node's connections and marks the map stale.
    private func forget(_ endpoint: Endpoint) async {
        let dropped: [RedisConnection] = state.withLock { state in
            state.stale = true
            return state.nodes.removeValue(forKey: endpoint) ?? []
        }
        for connection in dropped { await connection.close() }
    }

    func close() async {
        let all = state.withLock { state in
            state.closed = true
            let all = state.nodes.values.flatMap { $0 }
            state.nodes = [:]
            return all
        }
        for connection in all { await connection.close() }
    }
}
