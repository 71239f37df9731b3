public import Logging
public import ServiceLifecycle

/// The broker's upkeep, one service for every process that hosts it (a gateway, a worker, the
/// demo): lease recovery of its queues, and with a record store, the record sync (terminal
/// states into Postgres) and the reconciler (jobs one store has and the other lost).
///
/// Any number of processes may run one on the same queues: the scripts and the record store's
/// upserts make every step safe to run twice.
public struct BrokerMaintenance: Service {
    let broker: RedisBroker
    let store: (any JobRecordStore)?
    let queues: [String]
    let recordSync: Bool
    let logger: Logger
    let onRecordsApplied: (@Sendable ([JobStateRecord]) -> Void)?

    /// - Parameters:
    ///   - store: the system of record; nil runs lease recovery only.
    ///   - recordSync: with a store, also copy terminal states into it and reconcile.
    ///   - onRecordsApplied: sees each batch of state records once it is in the store.
    public init(
        broker: RedisBroker, store: (any JobRecordStore)?, queues: [String], recordSync: Bool = true, logger: Logger,
        onRecordsApplied: (@Sendable ([JobStateRecord]) -> Void)? = nil
    ) {
        self.broker = broker
        self.store = store
        self.queues = queues
        self.recordSync = recordSync
        self.logger = logger
        self.onRecordsApplied = onRecordsApplied
    }

    /// The services it runs, in one group.
    var parts: [any Service] {
        // Lease recovery gives a dead worker's jobs back; the reconciler re-enqueues jobs that
        // are in Postgres but not in Redis (Redis lost, or down during a submit).
        var parts: [any Service] = [LeaseRecoveryService(broker: broker, queues: queues, logger: logger)]
        if let store, recordSync {
            parts.append(
                JobRecordSync(broker: broker, store: store, queues: queues, logger: logger, onApplied: onRecordsApplied))
            parts.append(JobReconcilerService(reconciler: JobReconciler(broker: broker, store: store), logger: logger))
        }
        return parts
    }

    public func run() async throws {
        // Each part ends on graceful shutdown (or cancellation) by itself.
        try await withThrowingDiscardingTaskGroup { group in
            for part in parts {
                group.addTask { try await part.run() }
            }
        }
    }
}
