public import Broker
import Foundation

/// A token bucket per tenant, kept in Redis so every gateway process shares it.
///
/// `rate` tokens per second refill a bucket of `burst`; each request takes one. The bucket
/// lives in one hash updated by one script (Redis time, so gateway clocks don't matter) and
/// expires once it would be full again, so idle tenants cost no memory.
public struct RateLimiter: Sendable {
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        /// Milliseconds until a token is available, when refused.
        public var retryAfterMilliseconds: Int
        public var remaining: Int
    }

    let pool: RedisPool
    let namespace: String
    public let rate: Double
    public let burst: Int

    public init(pool: RedisPool, namespace: String, rate: Double, burst: Int) {
        self.pool = pool
        self.namespace = namespace
        self.rate = rate
        self.burst = burst
    }

    public func take(tenant: String) async throws -> Decision {
        let reply = try await pool.evaluate(
            Self.script, keys: ["\(namespace):rate:{\(tenant)}"], arguments: [String(rate), String(burst)])
        guard let values = reply.array, values.count == 3, let allowed = values[0].int,
            let retry = values[1].int, let remaining = values[2].int
        else {
            throw BrokerError(.brokerUnavailable, "rate limit script answered \(reply)")
        }
        return Decision(allowed: allowed == 1, retryAfterMilliseconds: retry, remaining: remaining)
    }

    static let script = RedisScript(
        name: "rate_limit",
        source: """
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(state[1]) or burst
            local at = tonumber(state[2]) or now
            if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000) end
            local allowed, retry = 0, 0
            if tokens >= 1 then
                tokens = tokens - 1
                allowed = 1
            else
                retry = math.ceil((1 - tokens) * 1000 / rate)
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
            redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
            return {allowed, retry, math.floor(tokens)}
            """)
}
