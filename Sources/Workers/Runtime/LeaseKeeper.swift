import Broker
import Logging
import Synchronization

/// The jobs a worker holds, and the one loop that keeps their leases: each lease is extended
/// at a third of its length, the reply's cancel flag reaches the job's context, and a job the
/// broker no longer lets this attempt hold (`staleAttempt`: its lease ran out and another
/// worker has it, or it ended) is canceled here, so a fenced-off worker stops at once.
final class LeaseKeeper: Sendable {
    private struct State {
        var jobs: [String: Entry] = [:]
        var stopped = false
    }
    private let state = Mutex(State())

    private struct Entry {
        var context: JobContext
        var leaseMilliseconds: Int
        /// After a failed heartbeat: not due again before this.
        var retryAt: ContinuousClock.Instant?
    }

    /// Starts keeping the lease of `context`'s job.
    func insert(_ context: JobContext, leaseMilliseconds: Int) {
        state.withLock { $0.jobs[context.lease.jobID] = Entry(context: context, leaseMilliseconds: leaseMilliseconds) }
    }

    /// Stops keeping the lease of job `id` (it ended, or was given back).
    func remove(_ id: String) {
        _ = state.withLock { $0.jobs.removeValue(forKey: id) }
    }

    var count: Int { state.withLock { $0.jobs.count } }

    /// The context of job `id`, while it is held.
    func context(of id: String) -> JobContext? {
        state.withLock { $0.jobs[id]?.context }
    }

    /// Lets `run` keep leases again after a `stop` (a worker that runs again).
    func start() {
        state.withLock { $0.stopped = false }
    }

    /// Ends `run` at its next wake-up.
    func stop() {
        state.withLock { $0.stopped = true }
    }

    /// Heartbeats every held job when it is due, until `stop`.
    func run(broker: any JobBroker, logger: Logger) async {
        while let due = await nextDue() {
            for context in due {
                await beat(context, broker: broker, logger: logger)
            }
        }
    }

    /// One heartbeat; a refusal that fences this attempt off cancels the job and stops keeping
    /// its lease (once: the lease is not this worker's to keep any more).
    func beat(_ context: JobContext, broker: any JobBroker, logger: Logger) async {
        do {
            context.noteHeartbeat(try await broker.heartbeat(context.lease, progress: nil))
        } catch let error as BrokerError where Self.isFencedOff(error) {
            logger.warning("job \(context.lease.jobID) was taken away: \(error)")
            state.withLock { state in
                if state.jobs[context.lease.jobID]?.context === context { state.jobs[context.lease.jobID] = nil }
            }
            context.requestCancel()
        } catch {
            // Transient (Redis down): tried again after `retryInterval`, not at once — a beat that
            // fails fast must not spin; the lease has up to two thirds left.
            logger.error("heartbeat of job \(context.lease.jobID) failed: \(error)")
            state.withLock { state in
                if state.jobs[context.lease.jobID]?.context === context {
                    state.jobs[context.lease.jobID]?.retryAt = .now + Self.retryInterval
                }
            }
        }
    }

    /// How long a heartbeat that failed (not refused) waits before it is tried again.
    static let retryInterval = Duration.milliseconds(250)

    /// The broker refused the attempt for good: it is no longer this worker's to run.
    static func isFencedOff(_ error: BrokerError) -> Bool {
        error.code == .staleAttempt || error.code == .jobNotFound
    }

    /// Sleeps until some job is due for a heartbeat (a third of its lease since the last one)
    /// and returns those; nil once stopped.
    func nextDue() async -> [JobContext]? {
        while true {
            if state.withLock({ $0.stopped }) || Task.isCancelled { return nil }
            let (due, sleep) = schedule(at: .now)
            if !due.isEmpty { return due }
            try? await Task.sleep(for: sleep)
        }
    }

    /// The jobs due for a heartbeat at `now`, and how long until the next one is (at most 250 ms).
    func schedule(at now: ContinuousClock.Instant) -> (due: [JobContext], sleep: Duration) {
        let jobs = state.withLock { Array($0.jobs.values) }
        var due: [JobContext] = []
        var sleep = Duration.milliseconds(250)
        for entry in jobs {
            if let retryAt = entry.retryAt, retryAt > now {
                sleep = min(sleep, now.duration(to: retryAt))
                continue
            }
            let interval = Self.interval(leaseMilliseconds: entry.leaseMilliseconds)
            let since = entry.context.lastHeartbeat.duration(to: now)
            if since >= interval {
                due.append(entry.context)
            } else {
                sleep = min(sleep, interval - since)
            }
        }
        return (due, sleep)
    }

    /// A third of the lease, at least 50 ms.
    static func interval(leaseMilliseconds: Int) -> Duration {
        .milliseconds(max(leaseMilliseconds / 3, 50))
    }
}
