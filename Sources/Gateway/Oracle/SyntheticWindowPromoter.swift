public import Broker
import Foundation
import JobContracts
public import Logging
public import PlatformStore
public import ServiceLifecycle

/// Promotes the open lines of Oracle synthetic jobs out of the backfill band as their
/// completion window nears (`BatchWindow`), and up a deadline class as it closes, as the batch
/// coordinator does for OpenAI batches. Every interval it reads the llm queue's open batches
/// with a window from the broker (one read however many jobs run) and weighs those that are
/// synthetic jobs. Several gateways may run it: a promotion done twice changes nothing.
public struct SyntheticWindowPromoter: Service {
    let store: SyntheticJobStore
    let records: any JobRecordStore
    let broker: any JobBroker
    let interval: Duration
    let logger: Logger

    public init(
        store: SyntheticJobStore, records: any JobRecordStore, broker: any JobBroker, logger: Logger,
        interval: Duration = .seconds(5)
    ) {
        self.store = store
        self.records = records
        self.broker = broker
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await every(interval) {
            try await runOnce()
        } failed: { error in
            logger.error("synthetic window pass failed", metadata: ["error": "\(error)"])
        }
    }

    /// One pass; returns the synthetic jobs promoted (or moved up a deadline class).
    @discardableResult
    func runOnce(now: Double = Date().timeIntervalSince1970) async throws -> Int {
        let open = try await broker.openBatches(queue: OracleSyntheticTemplate.kind.queue, limit: 1_000)
        guard !open.isEmpty else { return 0 }
        let batches = Dictionary(open.map { ($0.parent, $0) }, uniquingKeysWith: { first, _ in first })
        var promotedJobs = 0
        for job in try await store.windowed(ids: open.map(\.parent)) {
            guard let batch = batches[job.id], let expires = job.expiresMilliseconds,
                let window = job.window(ended: batch.counts.ended, total: batch.counts.total, now: now)
            else { continue }
            guard
                let priority = window.promotion(
                    secondsLeft: Double(expires) / 1000 - now, promoted: job.promotedMilliseconds != nil,
                    promotedTo: job.promotedPriority)
            else { continue }
            let promoted = try await ChildJobPromoter(records: records, broker: broker).promoteOpen(
                parentBatch: job.id, priority: priority)
            // Recorded after the lines moved: a crash in between promotes them again, which changes nothing.
            try await store.markPromoted(id: job.id, priority: priority)
            promotedJobs += 1
            logger.notice(
                "synthetic job window nears: \(promoted) open lines promoted to priority \(priority)",
                metadata: [
                    "synthetic_job": "\(job.id)", "ended": "\(batch.counts.ended)", "total": "\(job.count)",
                    "risk": "\(window.risk.rawValue)", "expires_ms": "\(expires)",
                ])
        }
        return promotedJobs
    }
}
