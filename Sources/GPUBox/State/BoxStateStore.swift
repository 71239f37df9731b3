import Foundation
public import RedisClient
import VelocityTypes

/// The GPU boxes' state in Redis: what each agent last published, its heartbeat, the mode an
/// operator (or its autopilot) asked for, and its autopilot setting. Agents write, the gateway and the CLI read.
///
/// Keys, under the broker's namespace: `<ns>:boxes` (set of box ids), `<ns>:box:<id>:status`
/// (the last `BoxStatus` as JSON), `<ns>:box:<id>:heartbeat` (Redis time of the last publish, ms),
/// `<ns>:box:<id>:desired` (the last `ModeRequest` as JSON) and `<ns>:box:<id>:autopilot` (its
/// `AutopilotSetting` as JSON). Heartbeats are stamped with Redis' clock so boxes and readers
/// never compare their own clocks. On a Redis Cluster every
/// key sits under the hash tag `{<ns>:boxes}` instead (`<ns>:{<ns>:boxes}`,
/// `<ns>:{<ns>:boxes}:box:<id>:status`…), so each script's keys share one slot; on one server
/// the names stay as they always were.
public struct BoxStateStore: Sendable {
    public let redis: RedisPool
    public let namespace: String

    public init(redis: RedisPool, namespace: String = "vj") {
        self.redis = redis
        self.namespace = namespace
    }

    /// An agent publishes every half second; one silent this long is dead.
    public static let heartbeatTimeout: Duration = .seconds(15)

    /// A box as a reader sees it: what its agent published and how long ago.
    public struct BoxView: Sendable, Equatable {
        public var status: BoxStatus
        public var heartbeatAgeMilliseconds: Int
        public var desired: ModeRequest?
        /// Its autopilot, when an operator ever set it.
        public var autopilot: AutopilotSetting?

        /// Whether the agent published within `timeout`.
        public func isAlive(timeout: Duration) -> Bool {
            heartbeatAgeMilliseconds <= timeout.milliseconds
        }
    }

    /// Publishes the agent's status and stamps its heartbeat.
    public func publish(_ status: BoxStatus) async throws {
        let json = String(decoding: try JSONEncoder().encode(status), as: UTF8.self)
        _ = try await redis.evaluate(
            Self.publishScript, keys: [boxesKey, statusKey(status.box), heartbeatKey(status.box)],
            arguments: [status.box, json])
    }

    /// Every box that ever published, with its heartbeat age; sorted by id.
    public func boxes() async throws -> [BoxView] {
        let ids = try await redis.send(RedisCommand("SMEMBERS", [boxesKey])).array?.compactMap(\.string) ?? []
        var views: [BoxView] = []
        for id in ids.sorted() {
            if let view = try await box(id) { views.append(view) }
        }
        return views
    }

    /// One box, or nil if it never published.
    public func box(_ id: String) async throws -> BoxView? {
        let reply = try await redis.evaluate(
            Self.readScript, keys: [statusKey(id), heartbeatKey(id), desiredKey(id), autopilotKey(id)], arguments: [])
        guard let values = reply.array, values.count == 5, let json = values[0].string else { return nil }
        let decoder = JSONDecoder()
        let status = try decoder.decode(BoxStatus.self, from: Data(json.utf8))
        let now = values[4].int ?? 0
        let heartbeat = values[1].int ?? 0
        let desired = try values[2].string.map { try decoder.decode(ModeRequest.self, from: Data($0.utf8)) }
        let autopilot = try values[3].string.map { try decoder.decode(AutopilotSetting.self, from: Data($0.utf8)) }
        return BoxView(
            status: status, heartbeatAgeMilliseconds: max(0, now - heartbeat), desired: desired, autopilot: autopilot)
    }

    /// Records an operator's request; the box's agent picks it up on its next tick. An operator's
    /// explicit mode takes control from the box's autopilot in the same step (it stays off until
    /// an operator turns it on again); returns whether it did.
    @discardableResult
    public func request(_ request: ModeRequest) async throws -> Bool {
        let json = String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        let reply = try await redis.evaluate(
            Self.operatorRequestScript, keys: [desiredKey(request.box), autopilotKey(request.box)],
            arguments: [
                json, request.requestedBy, String(request.requestedAtMilliseconds),
                "\(request.requestedBy) chose \(request.mode) mode: the autopilot waits until an operator turns it on again",
            ])
        return reply.int == 1
    }

    /// The mode last asked for this box, if any.
    public func desired(box: String) async throws -> ModeRequest? {
        guard let json = try await redis.send(RedisCommand("GET", [desiredKey(box)])).string else { return nil }
        return try JSONDecoder().decode(ModeRequest.self, from: Data(json.utf8))
    }

    /// What every box key starts with: the namespace, and on a cluster the boxes' hash tag.
    var keyBase: String { redis.configuration.isCluster ? "\(namespace):{\(namespace):boxes}" : namespace }
    var boxesKey: String { redis.configuration.isCluster ? keyBase : "\(namespace):boxes" }
    func statusKey(_ box: String) -> String { "\(keyBase):box:\(box):status" }
    func heartbeatKey(_ box: String) -> String { "\(keyBase):box:\(box):heartbeat" }
    func desiredKey(_ box: String) -> String { "\(keyBase):box:\(box):desired" }
    func autopilotKey(_ box: String) -> String { "\(keyBase):box:\(box):autopilot" }

    static let publishScript = RedisScript(
        name: "box_publish",
        source: """
            local now = redis.call('TIME')
            local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
            redis.call('SADD', KEYS[1], ARGV[1])
            redis.call('SET', KEYS[2], ARGV[2])
            redis.call('SET', KEYS[3], ms)
            return ms
            """)

    static let readScript = RedisScript(
        name: "box_read",
        source: """
            local now = redis.call('TIME')
            local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
            return {redis.call('GET', KEYS[1]), redis.call('GET', KEYS[2]), redis.call('GET', KEYS[3]),
                redis.call('GET', KEYS[4]), ms}
            """)
}
