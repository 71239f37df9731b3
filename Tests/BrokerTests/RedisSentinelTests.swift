import Broker
import Foundation
import RedisClient
import TestSupport
import Testing

/// The broker on a master that Redis Sentinel watches (`redis-sentinel://`): it follows a failover.
@Suite("Redis Sentinel")
struct RedisSentinelTests {
    @Test("the master killed: the sentinel promotes its replica, the broker follows, a blocked claim reconnects")
    func failover() async throws {
        let sentinel = try RedisSentinelProcess()
        let fixture = try await TestBroker.make(redisURL: sentinel.url)
        let broker = fixture.broker
        let queue = "q"
        // Jobs due in an hour, on the master and (checked) on its replica before the crash.
        let kept = try await broker.enqueue((0..<50).map { _ in submission(queue, delay: 3_600_000) })
        try await RedisClusterTests.waitForReplication(master: sentinel.master.port, replica: sentinel.replica.port)
        // A consumer blocks on the empty queue, on the master about to die.
        let total = 100
        let worker = RedisClusterTests.work(broker: broker, queue: queue, expecting: total)
        try await Task.sleep(for: .milliseconds(300))
        sentinel.master.kill()
        for _ in 0..<4 {
            try await RedisClusterTests.enqueueRetrying((0..<total / 4).map { _ in submission(queue) }, on: broker)
        }
        let done = try await worker.value
        #expect(done.count == total && done.allSatisfy { $0.value == 1 }, "every job ran exactly once")
        // The sentinel disconnects every client of the promoted replica, so the first command on
        // an idle connection may fail once (it reconnects on the next): read until one answers.
        var scheduled = -1
        try await eventually("a depth read after the failover", limit: .seconds(10)) {
            scheduled = (try? await broker.depth(queue: queue).scheduled) ?? -1
            return scheduled >= 0
        }
        #expect(scheduled == kept.count, "the replicated delayed jobs survived")
        let promoted = try await RedisConnection.connect(RedisConfiguration(url: sentinel.replica.url))
        #expect(try await promoted.send(RedisCommand("ROLE")).array?.first?.string == "master", "the replica was promoted")
        await promoted.close()
        await fixture.tearDown()
    }

    @Test("redis-sentinel:// names the sentinels and the master; a URL without a master is refused")
    func urls() throws {
        let configuration = try RedisConfiguration(url: "redis-sentinel://:secret@10.0.0.1:26379,10.0.0.2:26379/mymaster/2")
        #expect(
            configuration.sentinel
                == .init(
                    sentinels: [.init(host: "10.0.0.1", port: 26_379), .init(host: "10.0.0.2", port: 26_379)],
                    masterName: "mymaster"))
        #expect(configuration.database == 2 && configuration.password == "secret" && !configuration.isCluster)
        for bad in [
            "redis-sentinel://10.0.0.1:26379", "redis-sentinel://10.0.0.1:26379/", "redis-sentinel://10.0.0.1/m",
            "redis-sentinel://10.0.0.1:26379/m/x", "redis-sentinel://10.0.0.1:26379/m/1/2", "redis-sentinel://h:1/m?x=1",
        ] {
            #expect(throws: RedisError.self, "\(bad)") { try RedisConfiguration(url: bad) }
        }
    }
}
