import Foundation

/// Where and how to reach Redis.
public struct RedisConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var password: String?
    public var username: String?
    public var database: Int
    /// Connect timeout, and the default time a command may take.
    public var connectTimeoutMilliseconds: Int = 2_000
    public var commandTimeoutMilliseconds: Int = 5_000
    /// Reconnect attempts before a command fails; each waits twice as long as the one before.
    public var reconnectAttempts: Int = 5
    public var reconnectInitialDelayMilliseconds: Int = 50
    public var reconnectMaxDelayMilliseconds: Int = 2_000
    /// Nodes of a Redis Cluster to learn its slot map from (`redis-cluster://` URLs); empty for
    /// one server at `host`:`port`.
    public var clusterSeeds: [RedisClusterTopology.Endpoint] = []

    /// True for a Redis Cluster: commands go to the node serving their key's hash slot.
    public var isCluster: Bool { !clusterSeeds.isEmpty }

    /// A master watched by Redis Sentinel (`redis-sentinel://` URLs): each connection asks the
    /// sentinels where the master is when it (re)connects, so it follows a failover. Nil for a
    /// fixed `host`:`port`.
    public var sentinel: Sentinel?

    public struct Sentinel: Sendable, Equatable {
        public var sentinels: [RedisClusterTopology.Endpoint]
        public var masterName: String

        public init(sentinels: [RedisClusterTopology.Endpoint], masterName: String) {
            self.sentinels = sentinels
            self.masterName = masterName
        }
    }

    public init(host: String = "127.0.0.1", port: Int = 6379, password: String? = nil, username: String? = nil, database: Int = 0)
    {
        self.host = host
        self.port = port
        self.password = password
        self.username = username
        self.database = database
    }

    /// Parses `redis://[[user]:password@]host[:port][/db]`;
    /// `redis-cluster://[[user]:password@]host:port[,host:port…]` for a Redis Cluster (any of its
    /// nodes; the client learns the rest); or
    /// `redis-sentinel://[[user]:password@]host:port[,host:port…]/master[/db]` for a master that
    /// Redis Sentinel watches (the sentinels' addresses and the master's name; the credentials
    /// are the master's).
    public init(url: String) throws {
        if url.hasPrefix("redis-cluster://") || url.hasPrefix("redis-sentinel://") {
            try self.init(multiHostURL: url)
            return
        }
        guard let components = URLComponents(string: url), components.scheme == "redis",
            let host = components.host, !host.isEmpty
        else {
            throw RedisError(.redisConfiguration, "not a redis:// URL: \(url)")
        }
        self.init(host: host, port: components.port ?? 6379)
        if let password = components.password, !password.isEmpty {
            self.password = password.removingPercentEncoding ?? password
            if let user = components.user, !user.isEmpty { self.username = user }
        }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if !path.isEmpty {
            guard let database = Int(path), database >= 0 else {
                throw RedisError(.redisConfiguration, "database in \(url) is not a number")
            }
            self.database = database
        }
    }

    /// `redis-cluster://` and `redis-sentinel://`: credentials, a list of `host:port`, a path.
    private init(multiHostURL url: String) throws {
        let sentinel = url.hasPrefix("redis-sentinel://")
        var rest = Substring(url.dropFirst(sentinel ? "redis-sentinel://".count : "redis-cluster://".count))
        var path = Substring("")
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) {
            guard rest[end] == "/", !rest[end...].contains("?") else {
                throw RedisError(.redisConfiguration, "\(url) takes no options")
            }
            path = rest[rest.index(after: end)...]
            rest = rest[..<end]
        }
        var password: String?
        var username: String?
        if let at = rest.lastIndex(of: "@") {
            let userinfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let parts = userinfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            if parts.count == 2, !parts[1].isEmpty {
                password = String(parts[1]).removingPercentEncoding ?? String(parts[1])
                if !parts[0].isEmpty { username = String(parts[0]).removingPercentEncoding ?? String(parts[0]) }
            }
        }
        var nodes: [RedisClusterTopology.Endpoint] = []
        for node in rest.split(separator: ",", omittingEmptySubsequences: false) {
            guard let colon = node.lastIndex(of: ":"), colon > node.startIndex,
                let port = Int(node[node.index(after: colon)...]), (1...65_535).contains(port)
            else {
                throw RedisError(.redisConfiguration, "'\(node)' in \(url) is not host:port")
            }
            nodes.append(.init(host: String(node[..<colon]), port: port))
        }
        guard let first = nodes.first else {
            throw RedisError(.redisConfiguration, "\(url) names no node")
        }
        self.init(host: first.host, port: first.port, password: password, username: username)
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        if sentinel {
            guard let name = segments.first, segments.count <= 2 else {
                throw RedisError(.redisConfiguration, "\(url) names no master: redis-sentinel://sentinels/master[/db]")
            }
            if segments.count == 2 {
                guard let database = Int(segments[1]), database >= 0 else {
                    throw RedisError(.redisConfiguration, "database in \(url) is not a number")
                }
                self.database = database
            }
            self.sentinel = Sentinel(sentinels: nodes, masterName: String(name))
        } else {
            guard segments.isEmpty else {
                throw RedisError(.redisConfiguration, "a Redis Cluster has one database: \(url)")
            }
            clusterSeeds = nodes
        }
    }

    /// This configuration aimed at one node of the cluster.
    func node(_ endpoint: RedisClusterTopology.Endpoint) -> RedisConfiguration {
        var configuration = self
        configuration.host = endpoint.host
        configuration.port = endpoint.port
        return configuration
    }
}
