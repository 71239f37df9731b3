public import Broker
public import Logging
public import ServiceLifecycle
import Synchronization

/// Fans the broker's per-queue event streams out to the clients watching single jobs.
///
/// One blocking `XREAD` per queue, on a connection of its own, serves every `/events` stream
/// of the gateway: watching a job costs a dictionary entry, not a Redis connection.
public final class JobEventHub: Service, Sendable {
    /// One state change of one job, as the broker's scripts wrote it.
    public struct Event: Sendable, Equatable {
        public var jobID: String
        /// A `JobState` raw value, or `progress` / `cancel_requested`.
        public var state: String
        public var attempt: String
    }

    /// What a watcher receives: the job's events, and a tick every `keepAliveInterval` so an
    /// idle event stream can keep its connection open.
    public enum Update: Sendable, Equatable {
        case event(Event)
        case keepAlive
    }

    let broker: RedisBroker
    let queues: [String]
    let logger: Logger
    private let watchers = Mutex<[String: [Int: AsyncStream<Update>.Continuation]]>([:])
    private let nextToken = Atomic<Int>(0)
    let keepAliveInterval: Duration

    public init(broker: RedisBroker, queues: [String], keepAliveInterval: Duration = .seconds(15), logger: Logger) {
        self.broker = broker
        self.queues = queues
        self.keepAliveInterval = keepAliveInterval
        self.logger = logger
    }

    /// Events of `jobID` from now on, until the caller stops iterating.
    public func subscribe(jobID: String) -> AsyncStream<Update> {
        let token = nextToken.wrappingAdd(1, ordering: .relaxed).newValue
        let (stream, continuation) = AsyncStream<Update>.makeStream(bufferingPolicy: .bufferingNewest(256))
        watchers.withLock { $0[jobID, default: [:]][token] = continuation }
        continuation.onTermination = { [weak self] _ in
            self?.watchers.withLock { watchers in
                watchers[jobID]?[token] = nil
                if watchers[jobID]?.isEmpty == true { watchers[jobID] = nil }
            }
        }
        return stream
    }

    /// How many clients watch `jobID` now.
    public func watcherCount(jobID: String) -> Int {
        watchers.withLock { $0[jobID]?.count ?? 0 }
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                for queue in self.queues {
                    group.addTask { try await self.follow(queue: queue) }
                }
                group.addTask { try await self.tick() }
            }
        }
        watchers.withLock { watchers in
            for continuation in watchers.values.flatMap(\.values) { continuation.finish() }
        }
    }

    private func follow(queue: String) async throws {
        let key = broker.keys(queue).events
        var failures = 0
        while !Task.isCancelled {
            do {
                let connection = try await RedisConnection.connect(broker.redisConfiguration, name: "velocity-events")
                await follow(key: key, queue: queue, on: connection)
                await connection.close()
                return
            } catch {
                // Redis down at start-up: keep trying; status reads still work once it is back.
                failures += 1
                logger.warning("cannot follow events of \(queue) yet: \(error)")
                do { try await Task.sleep(for: BackoffPolicy.reconnect.delay(afterAttempt: failures)) } catch { return }
            }
        }
    }

    private func follow(key: String, queue: String, on connection: RedisConnection) async {
        var lastID = "$"
        var failures = 0
        while !Task.isCancelled {
            do {
                let reply = try await connection.sendBlocking(
                    RedisCommand("XREAD", ["COUNT", "1000", "BLOCK", "1000", "STREAMS", key, lastID]),
                    blockMilliseconds: 1_000)
                failures = 0
                for entry in Self.entries(reply) {
                    lastID = entry.id
                    deliver(entry.event)
                }
            } catch is CancellationError {
                return
            } catch {
                failures += 1
                logger.warning("event stream of \(queue) failed: \(error)")
                do { try await Task.sleep(for: BackoffPolicy.reconnect.delay(afterAttempt: failures)) } catch { return }
            }
        }
    }

    private func deliver(_ event: Event) {
        let continuations = watchers.withLock { $0[event.jobID].map { Array($0.values) } ?? [] }
        for continuation in continuations { continuation.yield(.event(event)) }
    }

    private func tick() async throws {
        while true {
            do { try await Task.sleep(for: keepAliveInterval) } catch { return }
            let continuations = watchers.withLock { $0.values.flatMap(\.values) }
            for continuation in continuations { continuation.yield(.keepAlive) }
        }
    }

    /// `XREAD` reply → entries: `[[key, [[id, [field, value, …]], …]]]`.
    static func entries(_ reply: RESPValue) -> [(id: String, event: Event)] {
        guard let streams = reply.array else { return [] }
        var result: [(id: String, event: Event)] = []
        for stream in streams {
            guard let parts = stream.array, parts.count == 2, let items = parts[1].array else { continue }
            for item in items {
                guard let pair = item.array, pair.count == 2, let id = pair[0].string, let fields = pair[1].array
                else { continue }
                var values: [String: String] = [:]
                var index = 0
                while index + 1 < fields.count {
                    if let name = fields[index].string { values[name] = fields[index + 1].string ?? "" }
                    index += 2
                }
                guard let job = values["job"], let state = values["state"] else { continue }
                result.append((id, Event(jobID: job, state: state, attempt: values["attempt"] ?? "")))
            }
        }
        return result
    }
}
