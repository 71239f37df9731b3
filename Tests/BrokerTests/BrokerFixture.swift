import Broker
import TestSupport
import Testing

/// The broker implementations the conformance suite runs against. Every `JobBroker` added to
/// the product gets an entry here and must pass the same tests.
enum BrokerFixture: String, CaseIterable, CustomTestStringConvertible {
    case redis
    /// `RedisBroker` on the shared test Redis Cluster (3 masters, 3 replicas): the same scripts,
    /// each queue on the node serving its hash tag.
    case redisCluster = "redis-cluster"

    var testDescription: String { rawValue }

    /// Runs `body` with a fresh broker of this kind and tears it down afterwards.
    func with<T>(
        configure: (inout RedisBrokerConfiguration) -> Void = { _ in },
        _ body: (RedisBroker) async throws -> T
    ) async throws -> T {
        let fixture = try await TestBroker.make(
            redisURL: self == .redisCluster ? try TestServers.redisClusterURL() : nil, configure: configure)
        do {
            let result = try await body(fixture.broker)
            await fixture.tearDown()
            return result
        } catch {
            await fixture.tearDown()
            throw error
        }
    }
}

func submission(
    _ queue: String = "q", kind: String = "test.job", priority: Int = 0, lease: Int = 30_000, maxAttempts: Int = 3,
    idempotencyKey: String? = nil, delay: Int = 0, payload: String = "{}", tenant: String = "acme",
    backoff: BackoffPolicy = BackoffPolicy(baseMilliseconds: 100, maxMilliseconds: 1_000), waitTimeout: Int = 0
) -> JobSubmission {
    JobSubmission(
        kind: kind, queue: queue, tenant: tenant, payload: payload, priority: priority, maxAttempts: maxAttempts,
        backoff: backoff, leaseMilliseconds: lease, waitTimeoutMilliseconds: waitTimeout,
        idempotencyKey: idempotencyKey, delayMilliseconds: delay)
}

extension JobBroker {
    /// Claims exactly one job (waiting up to 5 s for it).
    func claimOne(_ queue: String = "q", worker: String = "w1") async throws -> ClaimedJob {
        let jobs = try await claim(queue, worker: worker, max: 1, wait: .seconds(5))
        return try #require(jobs.first, "expected a job on \(queue)")
    }

    /// One claim call on a short-lived consumer.
    func claim(_ queue: String = "q", worker: String = "w1", max: Int, wait: Duration = .zero) async throws -> [ClaimedJob] {
        let consumer = try await makeConsumer(queue: queue, workerID: worker)
        do {
            let jobs = try await consumer.claim(maxJobs: max, wait: wait)
            await consumer.close()
            return jobs
        } catch {
            await consumer.close()
            throw error
        }
    }
}
