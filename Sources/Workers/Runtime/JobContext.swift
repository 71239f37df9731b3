public import Broker
import Instrumentation
import Synchronization

/// What a running handler can do besides its work: report progress (with a checkpoint the
/// next attempt resumes from) and learn that the job was canceled.
public final class JobContext: Sendable {
    public let lease: JobLease
    let broker: any JobBroker
    private let cancelRequested = Atomic<Bool>(false)
    /// Who waits for the cancel, and the commits in flight (`committing`), under one lock: a
    /// cancel lands either before a commit starts or after it ends, never inside it.
    private let cancelWaiter = Mutex<(waiter: CheckedContinuation<Void, Never>?, commits: Int)>((nil, 0))
    private let lastBeat = Mutex<ContinuousClock.Instant>(ContinuousClock.now)
    /// The job's span, when a tracer is installed.
    let trace: JobSpan?

    init(lease: JobLease, broker: any JobBroker, trace: JobSpan? = nil) {
        self.lease = lease
        self.broker = broker
        self.trace = trace
    }

    /// Runs `body` inside the job's span, so the backend calls it makes are spans of the job's
    /// trace; plainly when tracing is off.
    public func traced<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        guard let trace else { return try await body() }
        return try await InstrumentationContext.$current.withValue(trace.context) { try await body() }
    }

    /// True once someone canceled the job; the worker also cancels the handler's task.
    public var isCancelRequested: Bool { cancelRequested.load(ordering: .acquiring) }

    /// Records progress (and extends the lease). Throws `staleAttempt` if the job was taken away.
    public func progress(_ fraction: Double?, message: String = "", checkpoint: String? = nil) async throws {
        let reply = try await broker.heartbeat(
            lease, progress: JobProgress(fraction: fraction, message: message, checkpoint: checkpoint))
        noteHeartbeat(reply)
    }

    func noteHeartbeat(_ reply: HeartbeatReply) {
        lastBeat.withLock { $0 = .now }
        if reply.cancelRequested { requestCancel() }
    }

    /// Marks the job canceled and wakes `waitForCancel`, unless a commit is in flight: then
    /// the handler returns what it committed, and the job succeeds.
    func requestCancel() {
        cancelRequested.store(true, ordering: .releasing)
        cancelWaiter.withLock { state in
            guard state.commits == 0 else { return }
            state.waiter?.resume()
            state.waiter = nil
        }
    }

    /// Runs `body`, the step that makes the job's result (storing an example, a score), so a
    /// cancel cannot cut it off: a cancel that already landed refuses to start it
    /// (`CancellationError`); one that arrives meanwhile waits, and the job ends with what was
    /// committed. A later step still sees the cancel at the next heartbeat.
    public func committing<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let refused = cancelWaiter.withLock { state -> Bool in
            if isCancelRequested && state.commits == 0 { return true }
            state.commits += 1
            return false
        }
        if refused { throw CancellationError() }
        defer { cancelWaiter.withLock { $0.commits -= 1 } }
        return try await body()
    }

    /// Returns once the job is canceled, or when the calling task is.
    func waitForCancel() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = cancelWaiter.withLock { state -> Bool in
                    if (isCancelRequested && state.commits == 0) || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            cancelWaiter.withLock { state in
                state.waiter?.resume()
                state.waiter = nil
            }
        }
    }

    /// When the lease was last extended (or the attempt began).
    var lastHeartbeat: ContinuousClock.Instant { lastBeat.withLock { $0 } }
}
