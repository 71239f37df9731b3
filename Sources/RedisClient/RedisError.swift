public import VelocityTypes

/// An error from the Redis client: connection, protocol, server or script.
public typealias RedisError = DomainError<RedisErrorDomain>

/// The domain of `RedisError`.
public enum RedisErrorDomain: ErrorDomain {
    public static var prefix: String? { "redis" }
}

extension VelocityErrorCode {
    /// Nothing listens at the address, or the TCP connect failed.
    public static let redisConnectionRefused: Self = "redis_connection_refused"
    /// `AUTH` or `SELECT` was refused.
    public static let redisAuthentication: Self = "redis_authentication"
    /// The server did not answer within the command timeout.
    public static let redisTimeout: Self = "redis_timeout"
    /// The connection broke mid-command; the command may or may not have run.
    public static let redisIO: Self = "redis_io"
    /// The server answered with an error reply.
    public static let redisServer: Self = "redis_server_error"
    /// A Lua script raised an error.
    public static let redisScript: Self = "redis_script_error"
    /// The reply did not have the expected shape.
    public static let redisProtocol: Self = "redis_protocol"
    /// The connection was closed by its owner.
    public static let redisClosed: Self = "redis_closed"
    /// The URL could not be parsed.
    public static let redisConfiguration: Self = "redis_configuration"
}
