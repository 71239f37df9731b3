import Broker
import Foundation
import RedisClient
import Synchronization
import TestSupport
import Testing

/// The broker on a real Redis Cluster: slots as Redis computes them, a queue's slot moved to
/// another master under load, and its master killed and failed over under load. The conformance
/// suite runs on the shared cluster too (`BrokerFixture.redisCluster`); these tests kill nodes
/// and move slots, so each starts a cluster of its own.
@Suite("Redis Cluster")
struct RedisClusterTests {
    @Test("the client's hash slots are Redis' own (CLUSTER KEYSLOT)")
    func slotsAgree() async throws {
        let pool = try await RedisPool.connect(RedisConfiguration(url: TestServers.redisClusterURL()), size: 1)
        var keys = ["", "a", "{", "}", "{}", "a{}b", "{{x}}", "vj:{vj:cpu}:meta", "héllo", "foo{bar}{zap}"]
        for _ in 0..<200 {
            let length = Int.random(in: 1...24)
            keys.append(String((0..<length).map { _ in "ab{}:xyz09é".randomElement()! }))
        }
        for key in keys {
            let slot = try await pool.send(RedisCommand("CLUSTER", ["KEYSLOT", key]))
            #expect(slot.int == RedisClusterTopology.slot(of: key), "\(key)")
        }
        await pool.close()
        // A closed pool refuses at once and opens nothing again.
        let refused = await #expect(throws: RedisError.self) { try await pool.send(RedisCommand("GET", ["k"])) }
        #expect(refused?.code == .redisClosed)
    }

    @Test(
        "ops/redis-cluster.sh refuses a bad port list or action and starts nothing",
        arguments: [
            (["start", "--ports", "1,2,3"], 1, "--ports needs six ports"),
            (["start", "--ports", "60000,2,3,4,5,6"], 1, "'60000' is not a port of 1-55535"),
            (["start", "--ports", "a,2,3,4,5,6"], 1, "'a' is not a port"),
            (["restart"], 2, "usage: ops/redis-cluster.sh"),
        ])
    func scriptRefusals(_ arguments: [String], _ status: Int32, _ message: String) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("velocity-refused-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcome = try await VelocityBinary.run(
            [RepositoryPaths.root + "/ops/redis-cluster.sh", arguments[0], directory.path] + arguments.dropFirst(),
            executable: URL(fileURLWithPath: "/bin/bash"), in: URL(fileURLWithPath: RepositoryPaths.root))
        #expect(outcome.status == status)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        let nodes = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        #expect(nodes.isEmpty, "no node was set up: \(nodes)")
    }

    @Test("a queue's slot moved to another master under load: every job runs once, the client follows")
    func reshardUnderLoad() async throws {
        let cluster = try RedisClusterProcess()
        let fixture = try await TestBroker.make(redisURL: cluster.url)
        let broker = fixture.broker
        let queue = "moving"
        let slot = RedisClusterTopology.slot(of: broker.keys(queue).meta)
        let nodes = try await Self.nodes(of: cluster)
        let source = try #require(nodes.first { $0.serves(slot) })
        let target = try #require(nodes.first { $0.replicaOf == nil && $0.port != source.port })

        let total = 1_000
        let worker = Self.work(broker: broker, queue: queue, expecting: total)
        _ = try await broker.enqueue((0..<total / 2).map { _ in submission(queue) })
        // Enqueues keep coming while the slot's keys move, as `redis-cli --cluster reshard` moves them.
        async let more: Void = {
            for _ in 0..<10 { _ = try await broker.enqueue((0..<total / 20).map { _ in submission(queue) }) }
        }()
        let from = try await cluster.node(source.port)
        let to = try await cluster.node(target.port)
        try await to.send(RedisCommand("CLUSTER", ["SETSLOT", String(slot), "IMPORTING", source.id]))
        try await from.send(RedisCommand("CLUSTER", ["SETSLOT", String(slot), "MIGRATING", target.id]))
        while true {
            let keys =
                try await from.send(RedisCommand("CLUSTER", ["GETKEYSINSLOT", String(slot), "100"]))
                .array?.compactMap { $0.string } ?? []
            if keys.isEmpty { break }
            try await from.send(
                RedisCommand("MIGRATE", ["127.0.0.1", String(target.port), "", "0", "5000", "KEYS"] + keys))
        }
        for node in nodes where node.replicaOf == nil {
            let connection = try await cluster.node(node.port)
            try await connection.send(RedisCommand("CLUSTER", ["SETSLOT", String(slot), "NODE", target.id]))
            await connection.close()
        }
        try await more
        let done = try await worker.value
        #expect(done.count == total && done.allSatisfy { $0.value == 1 }, "every job ran exactly once")
        #expect(try await broker.depth(queue: queue).succeededTotal == total)
        let moved = try await Self.nodes(of: cluster)
        #expect(moved.first { $0.serves(slot) }?.port == target.port)
        await from.close()
        await to.close()
        await fixture.tearDown()
    }

    @Test("a queue's master killed: its replica takes over, a blocked claim is re-aimed, replicated jobs survive")
    func failoverUnderLoad() async throws {
        let cluster = try RedisClusterProcess()
        let fixture = try await TestBroker.make(redisURL: cluster.url)
        let broker = fixture.broker
        let queue = "failing"
        let slot = RedisClusterTopology.slot(of: broker.keys(queue).meta)
        let master = try #require(try await Self.nodes(of: cluster).first { $0.serves(slot) })

        // Jobs due in an hour, on the master and (checked) on its replica before the crash.
        let kept = try await broker.enqueue((0..<100).map { _ in submission(queue, delay: 3_600_000) })
        try await Self.waitForReplication(of: master, in: cluster)
        // A consumer blocks on the empty queue, on the master about to die.
        let total = 200
        let worker = Self.work(broker: broker, queue: queue, expecting: total)
        try await Task.sleep(for: .milliseconds(300))
        try cluster.kill(port: master.port)
        // Submits through the failover, each retried as a client retries a 503 (same job ids):
        // refused until a replica is promoted, then accepted.
        for _ in 0..<4 { try await Self.enqueueRetrying((0..<total / 4).map { _ in submission(queue) }, on: broker) }
        let done = try await worker.value
        #expect(done.count == total && done.allSatisfy { $0.value == 1 }, "every job ran exactly once")
        let depth = try await broker.depth(queue: queue)
        #expect(depth.scheduled == kept.count, "the replicated delayed jobs survived the crash")
        let owner = try await Self.nodes(of: cluster, skipping: master.port).first { $0.serves(slot) }
        #expect(owner != nil && owner?.port != master.port, "a replica serves the slot now")
        await fixture.tearDown()
    }

    static func enqueueRetrying(_ jobs: [JobSubmission], on broker: RedisBroker) async throws {
        var attempts = 0
        while true {
            do {
                _ = try await broker.enqueue(jobs)
                return
            } catch {
                attempts += 1
                guard attempts < 100 else { throw error }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    struct Node {
        var id: String
        var port: Int
        var slots: [ClosedRange<Int>]
        var replicaOf: String?

        func serves(_ slot: Int) -> Bool { slots.contains { $0.contains(slot) } }
    }

    /// Every node from `CLUSTER NODES`, as a live node sees them.
    static func nodes(of cluster: RedisClusterProcess, skipping dead: Int? = nil) async throws -> [Node] {
        let port = try #require(cluster.ports.first { $0 != dead })
        let connection = try await cluster.node(port)
        let text = try await connection.send(RedisCommand("CLUSTER", ["NODES"])).string ?? ""
        await connection.close()
        return text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count >= 8, let colon = fields[1].firstIndex(of: ":"),
                let port = Int(fields[1][fields[1].index(after: colon)...].prefix { $0.isNumber }),
                !fields[2].contains("fail")
            else { return nil }
            let slots = fields.dropFirst(8).compactMap { range -> ClosedRange<Int>? in
                let bounds = range.split(separator: "-").compactMap { Int($0) }
                guard let low = bounds.first else { return nil }
                return low...(bounds.count > 1 ? bounds[1] : low)
            }
            return Node(id: fields[0], port: port, slots: slots, replicaOf: fields[3] == "-" ? nil : fields[3])
        }
    }

    /// Waits until the master's replica holds as many keys as the master.
    static func waitForReplication(of master: Node, in cluster: RedisClusterProcess) async throws {
        let replica = try #require(try await nodes(of: cluster).first { $0.replicaOf == master.id })
        try await waitForReplication(master: master.port, replica: replica.port)
    }

    /// Waits until the replica on port `replica` holds as many keys as the master on `master`.
    static func waitForReplication(master: Int, replica: Int) async throws {
        let primary = try await RedisConnection.connect(RedisConfiguration(url: "redis://127.0.0.1:\(master)"))
        let copy = try await RedisConnection.connect(RedisConfiguration(url: "redis://127.0.0.1:\(replica)"))
        try await eventually("the replica to hold the master's keys", limit: .seconds(10)) {
            let keys = try await primary.send(RedisCommand("DBSIZE")).int
            return try await copy.send(RedisCommand("DBSIZE")).int == keys
        }
        await primary.close()
        await copy.close()
    }

    /// A worker of the test's own: claims and completes until `expecting` distinct jobs ran,
    /// retrying a claim that failed (a node died or a slot moved mid-claim). Each job's runs.
    static func work(broker: RedisBroker, queue: String, expecting: Int) -> Task<[String: Int], any Error> {
        Task {
            let consumer = try await broker.makeConsumer(queue: queue, workerID: "cluster-test")
            var runs: [String: Int] = [:]
            let deadline = ContinuousClock.now + .seconds(90)
            while runs.count < expecting, ContinuousClock.now < deadline {
                let claimed: [ClaimedJob]
                do {
                    claimed = try await consumer.claim(maxJobs: 50, wait: .seconds(1))
                } catch {
                    try await Task.sleep(for: .milliseconds(100))
                    continue
                }
                for job in claimed {
                    runs[job.id, default: 0] += 1
                    var attempts = 0
                    while true {
                        do {
                            try await broker.complete(job.lease, result: nil)
                            break
                        } catch let error as BrokerError where error.code == .staleAttempt {
                            break  // an earlier try went through; its reply was lost
                        } catch {
                            attempts += 1
                            guard attempts < 50 else { throw error }
                            try await Task.sleep(for: .milliseconds(100))
                        }
                    }
                }
            }
            await consumer.close()
            return runs
        }
    }
}
