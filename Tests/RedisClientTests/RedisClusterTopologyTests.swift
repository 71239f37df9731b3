import RedisClient
import Testing

/// The cluster client's pure rules: hash slots, the slot map, redirections, cluster URLs.
@Suite("Redis Cluster topology")
struct RedisClusterTopologyTests {
    typealias Topology = RedisClusterTopology

    @Test("hash slots are CRC16/XMODEM mod 16384 of the key, or of its hash tag")
    func slots() {
        // The cluster specification's check value, and slots Redis' CLUSTER KEYSLOT gives.
        #expect(Topology.slot(of: "123456789") == 0x31C3)
        #expect(Topology.slot(of: "foo") == 12_182)
        #expect(Topology.slot(of: "foo{hash_tag}") == 2_515)
        #expect(Topology.slot(of: "{user1000}.following") == Topology.slot(of: "{user1000}.followers"))
        #expect(Topology.slot(of: "{user1000}.following") == Topology.slot(of: "user1000"))
        // The first `{` and the next `}`; an empty tag hashes the whole key.
        #expect(Topology.slot(of: "foo{}{bar}") != Topology.slot(of: "bar"))
        #expect(Topology.slot(of: "foo{{bar}}zap") == Topology.slot(of: "{bar"))
        #expect(Topology.slot(of: "foo{bar}{zap}") == Topology.slot(of: "bar"))
        #expect(Topology.slot(of: "") == 0)
        // Every key of one queue shares its tag, so one node holds the queue.
        #expect(Topology.slot(of: "vj:{vj:cpu}:meta") == Topology.slot(of: "vj:{vj:cpu}:job:0192"))
    }

    @Test("CLUSTER SLOTS builds the map; an empty host is the answering node's; a bad range is refused")
    func slotsReply() throws {
        func node(_ host: String, _ port: Int) -> RESPValue {
            .array([.bulkString(Array(host.utf8)), .integer(port), .bulkString(Array("id".utf8)), .array([])])
        }
        let reply = RESPValue.array([
            .array([.integer(0), .integer(5_460), node("10.0.0.1", 7000), node("10.0.0.4", 7003)]),
            .array([.integer(5_461), .integer(10_922), node("", 7001)]),
            .array([.integer(10_923), .integer(16_383), node("?", 7002)]),
        ])
        let topology = try Topology(slotsReply: reply, fallbackHost: "127.0.0.1")
        #expect(topology.isComplete)
        #expect(topology.owner(ofSlot: 0) == .init(host: "10.0.0.1", port: 7000))
        #expect(topology.owner(ofSlot: 5_461) == .init(host: "127.0.0.1", port: 7001))
        #expect(topology.owner(ofSlot: 16_383) == .init(host: "127.0.0.1", port: 7002))
        #expect(topology.owner(of: "foo") == .init(host: "127.0.0.1", port: 7002))
        #expect(topology.masters.count == 3)

        var moved = topology
        moved.move(slot: 12_182, to: .init(host: "10.0.0.9", port: 7009))
        #expect(moved.owner(of: "foo") == .init(host: "10.0.0.9", port: 7009))
        #expect(moved.owner(ofSlot: 12_183) == .init(host: "127.0.0.1", port: 7002))

        let partial = try Topology(slotsReply: .array([reply.array![0]]), fallbackHost: "h")
        #expect(!partial.isComplete)
        #expect(partial.owner(ofSlot: 9_000) == nil)

        for bad: RESPValue in [
            .null, .array([.array([.integer(0)])]), .array([.array([.integer(5), .integer(3), node("h", 1)])]),
            .array([.array([.integer(0), .integer(16_384), node("h", 1)])]),
            .array([.array([.integer(0), .integer(1), node("h", 0)])]),
        ] {
            #expect(throws: RedisError.self) { try Topology(slotsReply: bad, fallbackHost: "h") }
        }
    }

    @Test("MOVED, ASK, TRYAGAIN and CLUSTERDOWN are redirections; other errors are not")
    func redirections() {
        #expect(
            RedisClusterRedirection(errorMessage: "MOVED 3999 127.0.0.1:6381")
                == .moved(slot: 3_999, to: .init(host: "127.0.0.1", port: 6_381)))
        #expect(
            RedisClusterRedirection(errorMessage: "ASK 3999 10.0.0.2:7000")
                == .ask(slot: 3_999, to: .init(host: "10.0.0.2", port: 7_000)))
        #expect(RedisClusterRedirection(errorMessage: "MOVED 12 :7001") == .moved(slot: 12, to: .init(host: "", port: 7_001)))
        #expect(RedisClusterRedirection(errorMessage: "TRYAGAIN Multiple keys request during rehashing of slot") == .retryLater)
        #expect(RedisClusterRedirection(errorMessage: "CLUSTERDOWN The cluster is down") == .retryLater)
        for other in ["ERR unknown command", "MOVED", "MOVED x 1.2.3.4:5", "MOVED 16384 h:1", "ASK 1 nohost", "", "VJ_NOT_FOUND"]
        {
            #expect(RedisClusterRedirection(errorMessage: other) == nil, "\(other)")
        }
    }

    @Test("redis-cluster:// URLs name the seed nodes and credentials; a bad one is refused")
    func urls() throws {
        let plain = try RedisConfiguration(url: "redis-cluster://127.0.0.1:7000,10.0.0.2:7001")
        #expect(plain.isCluster)
        #expect(plain.clusterSeeds == [.init(host: "127.0.0.1", port: 7_000), .init(host: "10.0.0.2", port: 7_001)])
        #expect(plain.host == "127.0.0.1" && plain.port == 7_000 && plain.password == nil)
        let secret = try RedisConfiguration(url: "redis-cluster://app:p%40ss@h1:7000/")
        #expect(secret.username == "app" && secret.password == "p@ss" && secret.clusterSeeds.count == 1)
        #expect(try RedisConfiguration(url: "redis://127.0.0.1:6379").isCluster == false)
        for bad in [
            "redis-cluster://", "redis-cluster://h1", "redis-cluster://h1:0", "redis-cluster://h1:7000,",
            "redis-cluster://h1:7000/2", "redis-cluster://h1:7000?x=1", "redis-cluster://:7000",
        ] {
            #expect(throws: RedisError.self, "\(bad)") { try RedisConfiguration(url: bad) }
        }
    }

    @Test("a command routes by its first argument unless it names no key")
    func routingKeys() {
        #expect(RedisCommand("HGETALL", ["vj:{vj:q}:meta"]).routingKey == "vj:{vj:q}:meta")
        #expect(RedisCommand("PING").routingKey == nil)
        #expect(RedisCommand("TIME", []).routingKey == nil)
        #expect(RedisCommand("config", ["RESETSTAT"]).routingKey == nil)
        #expect(RedisCommand("SCAN", ["0", "MATCH", "x*"]).routingKey == nil)
    }
}
