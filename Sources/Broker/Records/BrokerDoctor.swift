import RedisClient

/// Finds and, with `repair`, fixes inconsistencies between the system of record and the
/// broker, and inside the broker's own indexes.
public struct BrokerDoctor: Sendable {
    public let broker: RedisBroker
    public let reconciler: JobReconciler?

    public init(broker: RedisBroker, reconciler: JobReconciler?) {
        self.broker = broker
        self.reconciler = reconciler
    }

    public struct Report: Sendable {
        public var record: JobReconciler.Report?
        /// Ids indexed in a queue's sets whose job hash is gone, by queue.
        public var orphanedIndexEntries: [String: [String]] = [:]
        /// State records waiting in each queue's outbox.
        public var outboxBacklog: [String: Int] = [:]
        public var repaired: Bool

        /// Nothing out of step: every open job where it belongs, every queue's recorded
        /// settings held by Redis (and readable), no index entry without its job.
        public var isHealthy: Bool {
            (record.map {
                $0.missingFromBroker.isEmpty && $0.endedInBroker.isEmpty && $0.settingsDrift.isEmpty && $0.settingsError == nil
            } ?? true)
                && orphanedIndexEntries.values.allSatisfy(\.isEmpty)
        }
    }

    public func run(queues: [String], repair: Bool) async throws -> Report {
        var report = Report(repaired: repair)
        if let reconciler { report.record = try await reconciler.run(repair: repair) }
        for queue in queues {
            let keys = broker.keys(queue)
            var orphans: [String] = []
            for index in [keys.queuedAt, keys.delayed, keys.active, keys.dead] {
                var start = 0
                while true {
                    let page = try await broker.send(RedisCommand("ZRANGE", [index, String(start), String(start + 999)]))
                        .decodeArray("index page").map { try $0.decodeText("index entry") }
                    if page.isEmpty { break }
                    let states = try await broker.states(queue: queue, ids: page)
                    let missing = zip(page, states).filter { $1 == nil }.map(\.0)
                    orphans += missing
                    if repair, !missing.isEmpty {
                        var command = RedisCommand("ZREM", [index])
                        command.append(contentsOf: missing)
                        _ = try await broker.send(command)
                    }
                    start += repair ? page.count - missing.count : page.count
                    if page.count < 1000 { break }
                }
            }
            report.orphanedIndexEntries[queue] = orphans
            report.outboxBacklog[queue] = try await broker.send(RedisCommand("LLEN", [keys.outbox]))
                .decodeInt("outbox length")
        }
        return report
    }
}
