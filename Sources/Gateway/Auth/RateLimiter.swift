public import Broker
import Foundation
import Synchronization

/// A token bucket per tenant, kept in Redis so every gateway process shares it, with a small
/// share of it held locally so a busy tenant costs no round trip per request.
///
/// `rate` tokens per second refill a bucket of `burst`; each request takes one. The bucket
/// lives in one hash updated by one script (Redis time, so gateway clocks don't matter) and
/// expires once it would be full again, so idle tenants cost no memory. A request that finds
/// no local token takes a block from the bucket — 50 ms of the rate, at most a tenth of the
/// burst, at least one — and keeps the rest for the requests that follow, for at most
/// `leaseDuration`. Redis stays the truth: no gateway admits a request the shared bucket did
/// not grant, and a limit of a few per second (a block of one) is exact; what a gateway held
/// and did not use within the lease is lost, not handed out twice.
public struct RateLimiter: Sendable {
    public struct Decision: Sendable, Equatable {
        public var allowed: Bool
        /// Milliseconds until a token is available, when refused.
        public var retryAfterMilliseconds: Int
        public var remaining: Int
    }

    /// Tokens granted by the bucket and not yet spent, per tenant, and the one request to the
    /// bucket in flight for it: requests that find no token wait for that one instead of each
    /// taking a block of their own (which would empty the bucket for tokens nobody uses).
    final class Held: Sendable {
        struct Entry {
            var count = 0
            var until = ContinuousClock.now
            var fetch: Task<Decision, any Error>?
        }
        let entries = Mutex<[String: Entry]>([:])
    }

    let pool: RedisPool
    let namespace: String
    public let rate: Double
    public let burst: Int
    /// Tokens one round trip takes from the shared bucket.
    public let block: Int
    let leaseDuration: Duration
    let held = Held()

    /// `block` overrides the tokens one round trip takes (tests).
    public init(
        pool: RedisPool, namespace: String, rate: Double, burst: Int, block: Int? = nil,
        leaseDuration: Duration = .seconds(1)
    ) {
        self.pool = pool
        self.namespace = namespace
        self.rate = rate
        self.burst = burst
        self.block = max(1, block ?? min(Int(rate / 20), burst / 10))
        self.leaseDuration = leaseDuration
    }

    public func take(tenant: String) async throws -> Decision {
        for _ in 0..<4 {
            enum Step {
                case allowed(left: Int)
                case fetched(Task<Decision, any Error>)
                case await(Task<Decision, any Error>)
            }
            let now = ContinuousClock.now
            let step = held.entries.withLock { entries -> Step in
                var entry = entries[tenant] ?? Held.Entry()
                if entry.count > 0, entry.until > now {
                    entry.count -= 1
                    entries[tenant] = entry
                    return .allowed(left: entry.count)
                }
                if let fetch = entry.fetch { return .await(fetch) }
                if entries.count > 10_000 { entries = entries.filter { $0.value.until > now || $0.value.fetch != nil } }
                let fetch = Task { try await self.refill(tenant: tenant) }
                entry.fetch = fetch
                entries[tenant] = entry
                return .fetched(fetch)
            }
            switch step {
            case .allowed(let left):
                return Decision(allowed: true, retryAfterMilliseconds: 0, remaining: left)
            case .fetched(let fetch):
                // The block's first token is this request's own.
                return try await fetch.value
            case .await(let fetch):
                // Refused: every waiter is. Granted: the tokens are held now; take one (others
                // waiting may take them first, then this asks again).
                let decision = try await fetch.value
                if !decision.allowed { return decision }
            }
        }
        // Outrun by the other requests four times: one token straight from the bucket.
        return try await request(tenant: tenant, tokens: 1).decision
    }

    /// Takes a block from the bucket: its first token for the request that asked, the rest held
    /// for the others; clears the in-flight mark either way.
    private func refill(tenant: String) async throws -> Decision {
        let answer: (decision: Decision, granted: Int)
        do {
            answer = try await request(tenant: tenant, tokens: block)
        } catch {
            held.entries.withLock { $0[tenant]?.fetch = nil }
            throw error
        }
        let now = ContinuousClock.now
        held.entries.withLock { entries in
            var entry = entries[tenant] ?? Held.Entry()
            entry.count = (entry.until > now ? entry.count : 0) + max(0, answer.granted - 1)
            entry.until = now.advanced(by: leaseDuration)
            entry.fetch = nil
            entries[tenant] = entry
        }
        return answer.decision
    }

    /// Up to `tokens` from the shared bucket: at least one or none.
    private func request(tenant: String, tokens: Int) async throws -> (decision: Decision, granted: Int) {
        let reply = try await pool.evaluate(
            Self.script, keys: ["\(namespace):rate:{\(tenant)}"],
            arguments: [String(rate), String(burst), String(tokens)])
        guard let values = reply.array, values.count == 3, let granted = values[0].int,
            let retry = values[1].int, let remaining = values[2].int
        else {
            throw BrokerError(.brokerUnavailable, "rate limit script answered \(reply)")
        }
        return (Decision(allowed: granted > 0, retryAfterMilliseconds: retry, remaining: remaining), granted)
    }

    static let script = RedisScript(
        name: "rate_limit",
        source: """
            -- Takes up to ARGV[3] tokens (at least one, or none); reply {granted, retry ms, left}.
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local want = tonumber(ARGV[3]) or 1
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(state[1]) or burst
            local at = tonumber(state[2]) or now
            if now > at then tokens = math.min(burst, tokens + (now - at) * rate / 1000) end
            local granted, retry = 0, 0
            if tokens >= 1 then
                granted = math.min(want, math.floor(tokens))
                tokens = tokens - granted
            else
                retry = math.ceil((1 - tokens) * 1000 / rate)
            end
            redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', now)
            redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
            return {granted, retry, math.floor(tokens)}
            """)
}
