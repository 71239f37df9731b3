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

    public init(host: String = "127.0.0.1", port: Int = 6379, password: String? = nil, username: String? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.password = password
        self.username = username
        self.database = database
    }

    /// Parses `redis://[[user]:password@]host[:port][/db]`.
    public init(url: String) throws {
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
}
