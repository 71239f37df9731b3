import Broker
import Foundation
import Gateway
import TestSupport
import Testing

@Suite("Rate limiter held locally, shared through Redis")
struct RateLimiterTests {
    @Test("two gateways holding blocks admit exactly the shared bucket, no more, and then refuse with a retry")
    func blocksNeverOveradmit() async throws {
        let pool = try await RedisPool.connect(RedisConfiguration(url: try TestServers.redisURL()), size: 2)
        let namespace = "rl-" + UUID().uuidString
        // No refill to speak of (one token per 1,000 s): the burst of 10 is all there is. Leases
        // of a minute: a loaded machine must not let held tokens lapse mid-test.
        let a = RateLimiter(
            pool: pool, namespace: namespace, rate: 0.001, burst: 10, block: 3, leaseDuration: .seconds(60))
        let b = RateLimiter(
            pool: pool, namespace: namespace, rate: 0.001, burst: 10, block: 3, leaseDuration: .seconds(60))
        var admitted = 0
        var refused: [RateLimiter.Decision] = []
        for _ in 0..<25 {
            for limiter in [a, b] {
                let decision = try await limiter.take(tenant: "t")
                if decision.allowed { admitted += 1 } else { refused.append(decision) }
            }
        }
        #expect(admitted == 10)
        #expect(refused.count == 40)
        #expect(refused.allSatisfy { $0.retryAfterMilliseconds > 0 })
        // Another tenant has a bucket of its own.
        #expect(try await a.take(tenant: "other").allowed)
        await pool.close()
    }

    @Test("requests arriving together share one block: none is refused while the gateway holds tokens")
    func concurrentRequestsShareABlock() async throws {
        let pool = try await RedisPool.connect(RedisConfiguration(url: try TestServers.redisURL()), size: 2)
        let limiter = RateLimiter(
            pool: pool, namespace: "rl-" + UUID().uuidString, rate: 0.001, burst: 10, block: 5,
            leaseDuration: .seconds(60))
        // Twenty at once against a bucket of ten: one request per tenant goes to Redis at a time,
        // the others take what it brought back, so exactly ten pass (each taking its own block
        // would leave tokens held while the rest are refused).
        let admitted = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 { group.addTask { try await limiter.take(tenant: "t").allowed } }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(admitted == 10)
        await pool.close()
    }

    @Test("a block is 50 ms of the rate capped by a tenth of the burst, at least one; held tokens lapse with their lease")
    func blockSize() async throws {
        let pool = try await RedisPool.connect(RedisConfiguration(url: try TestServers.redisURL()), size: 1)
        #expect(RateLimiter(pool: pool, namespace: "x", rate: 1_000_000, burst: 1_000_000).block == 50_000)
        #expect(RateLimiter(pool: pool, namespace: "x", rate: 1_000, burst: 100).block == 10)
        #expect(RateLimiter(pool: pool, namespace: "x", rate: 5, burst: 10).block == 1)
        // A held block runs out with its lease: the next request asks the bucket again.
        let namespace = "rl-" + UUID().uuidString
        let limiter = RateLimiter(
            pool: pool, namespace: namespace, rate: 0.001, burst: 4, block: 4, leaseDuration: .milliseconds(200))
        #expect(try await limiter.take(tenant: "t").allowed)
        try await Task.sleep(for: .milliseconds(400))
        // The 3 held tokens lapsed unused; the bucket is empty.
        #expect(try await limiter.take(tenant: "t").allowed == false)
        await pool.close()
    }
}
