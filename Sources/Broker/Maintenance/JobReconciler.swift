/// Compares the system of record with the broker and repairs the difference.
///
/// - A job Postgres holds as open that Redis no longer has (Redis restarted without AOF, lost
///   its data, or a crash came between the two writes of a submit) is enqueued again, with its
///   original id, so its idempotency and history are kept.
/// - A job Postgres holds as open that Redis has already ended (a state record lost between the
///   outbox and Postgres) gets its terminal state written to Postgres.
/// - A queue whose recorded limits or pause Redis no longer holds gets them back
///   (`QueueControl.restore`), before its jobs are restored, so they wait under their limits.
public struct JobReconciler: Sendable {
    public let broker: RedisBroker
    public let store: any JobRecordStore
    /// Jobs younger than this are left alone: their submit may still be between its two writes.
    public var gracePeriodMilliseconds: Int

    public init(broker: RedisBroker, store: any JobRecordStore, gracePeriodMilliseconds: Int = 5_000) {
        self.broker = broker
        self.store = store
        self.gracePeriodMilliseconds = gracePeriodMilliseconds
    }

    public struct Report: Sendable, Equatable {
        public var examined = 0
        /// Open in Postgres, missing from Redis.
        public var missingFromBroker: [String] = []
        /// Open in Postgres, ended in Redis.
        public var endedInBroker: [String] = []
        /// Queues whose recorded settings (limits, pause) Redis did not hold.
        public var settingsDrift: [String] = []
        /// Why the settings could not be compared or restored, if they could not.
        public var settingsError: String?
        public var repaired = false
    }

    /// Walks every open job of the record; with `repair`, fixes what it finds.
    public func run(repair: Bool, pageSize: Int = 1_000) async throws -> Report {
        var report = Report()
        report.repaired = repair
        do {
            report.settingsDrift = try await QueueControl(broker: broker, store: store).restore(repair: repair)
        } catch {
            // The jobs are restored all the same.
            report.settingsError = "\(error)"
        }
        var after: String?
        while true {
            let page = try await store.openJobs(afterID: after, minimumAgeMilliseconds: gracePeriodMilliseconds, limit: pageSize)
            guard let last = page.last else { break }
            after = last.submission.id
            report.examined += page.count
            let byQueue = Dictionary(grouping: page, by: \.submission.queue)
            for (queue, jobs) in byQueue {
                let states = try await broker.states(queue: queue, ids: jobs.map(\.submission.id))
                var missing: [JobSubmission] = []
                var ended: [String] = []
                for (job, state) in zip(jobs, states) {
                    switch state {
                    case nil: missing.append(job.submission)
                    case let state? where state.isTerminal: ended.append(job.submission.id)
                    default: break
                    }
                }
                report.missingFromBroker += missing.map(\.id)
                report.endedInBroker += ended
                if repair {
                    try await restore(missing)
                    try await copyTerminalStates(queue: queue, ids: ended)
                }
            }
        }
        return report
    }

    private func restore(_ jobs: [JobSubmission]) async throws {
        guard !jobs.isEmpty else { return }
        // Delays were served already (or are moot now): a restored job is ready at once.
        _ = try await broker.enqueue(
            jobs.map { job in
                var job = job
                job.delayMilliseconds = 0
                return job
            })
    }

    private func copyTerminalStates(queue: String, ids: [String]) async throws {
        var records: [JobStateRecord] = []
        for id in ids {
            guard let job = try await broker.job(queue: queue, id: id) else { continue }
            records.append(
                JobStateRecord(
                    id: id, state: job.state, at: job.finishedMilliseconds ?? 0, attempts: job.attempts,
                    errorCode: job.errorCode, errorMessage: job.errorMessage, result: job.result,
                    started: job.startedMilliseconds, worker: job.worker))
        }
        try await store.apply(records)
    }
}
