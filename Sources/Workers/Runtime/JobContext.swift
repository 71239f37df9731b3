public import Broker
import Instrumentation
import Synchronization

/// What a running handler can do besides its work: report progress (with a checkpoint the
/// next attempt resumes from) and learn that the job was canceled.
public final class JobContext: Sendable {
    public let lease: JobLease
    let broker: any JobBroker
    private let cancelRequested = Atomic<Bool>(false)
    private let cancelWaiter = Mutex<CheckedContinuation<Void, Never>?>(nil)
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

    /// Marks the job canceled and wakes `waitForCancel`.
    func requestCancel() {
        cancelRequested.store(true, ordering: .releasing)
        cancelWaiter.withLock { waiter in
            waiter?.resume()
            waiter = nil
        }
    }

    /// Returns once the job is canceled, or when the calling task is.
    func waitForCancel() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = cancelWaiter.withLock { waiter -> Bool in
                    if isCancelRequested || Task.isCancelled { return true }
                    waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            cancelWaiter.withLock { waiter in
                waiter?.resume()
                waiter = nil
            }
        }
    }

    var sinceLastHeartbeat: Duration { lastBeat.withLock { $0.duration(to: .now) } }
}
