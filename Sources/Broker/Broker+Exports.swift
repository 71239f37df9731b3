// The shared types (error codes, job states, JSON values, backoff) and the Redis and Postgres
// clients are part of the broker's API (a `RedisBroker` is built on a `RedisPool`): a module
// that imports Broker sees them without importing each one.
@_exported public import PostgresClient
@_exported public import RedisClient
@_exported public import VelocityTypes
