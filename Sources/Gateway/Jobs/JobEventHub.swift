public import Broker
public import Logging
public import ServiceLifecycle
import Synchronization

/// Fans the broker's per-queue event streams out to the clients watching single jobs.
///
/// One event reader per queue, blocking on a connection of its own, serves every `/events`
/// stream of the gateway: watching a job costs a dictionary entry, not a Redis connection.
public final class JobEventHub: Service, Sendable {
    /// One state change of one job, as the broker's scripts wrote it.
    public typealias Event = JobEvent

    /// What a watcher receives: the job's events, and a tick every `keepAliveInterval` so an
    /// idle event stream can keep its connection open and refresh a queued job's standing.
    public enum Update: Sendable, Equatable {
        case event(Event)
        case keepAlive
    }

    let broker: any JobBroker
    let queues: [String]
    let logger: Logger
    private let watchers = Mutex<[String: [Int: AsyncStream<Update>.Continuation]]>([:])
    private let nextToken = Atomic<Int>(0)
    private let tickCount = Atomic<Int>(0)
    let keepAliveInterval: Duration

    public init(broker: any JobBroker, queues: [String], keepAliveInterval: Duration = .seconds(2), logger: Logger) {
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

    /// How many ticks have gone out to the watchers so far.
    public var ticks: Int { tickCount.load(ordering: .relaxed) }

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
        var failures = 0
        while !Task.isCancelled {
            do {
                let reader = try await broker.makeEventReader(queue: queue)
                await follow(reader)
                await reader.close()
                return
            } catch {
                // Redis down at start-up: keep trying; status reads still work once it is back.
                failures += 1
                logger.warning("cannot follow events of \(queue) yet: \(error)")
                do { try await Task.sleep(for: BackoffPolicy.reconnect.delay(afterAttempt: failures)) } catch { return }
            }
        }
    }

    private func follow(_ reader: any JobEventReader) async {
        var failures = 0
        while !Task.isCancelled {
            do {
                let events = try await reader.read(maxEvents: 1_000, wait: .seconds(1))
                failures = 0
                for event in events { deliver(event) }
            } catch is CancellationError {
                return
            } catch {
                failures += 1
                logger.warning("event stream of \(reader.queue) failed: \(error)")
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
            tickCount.wrappingAdd(1, ordering: .relaxed)
        }
    }
}
