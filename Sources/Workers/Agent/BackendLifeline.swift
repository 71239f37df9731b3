import Synchronization
public import VelocityTypes

/// Tells a lane's workers that their backend process died, before the lane cancels them.
///
/// A worker whose task is cancelled cannot tell a drain past its deadline (give the job back
/// unspent) from its backend dying under the job (spend the attempt: the job may be what
/// killed it). The lane marks the lifeline with the exit status first, then cancels; a worker
/// reads it while it settles the job. One lifeline per backend incarnation.
public final class BackendLifeline: Sendable {
    /// Names the backend in a job's fault domains (`JobFailure.faultDomain`): the box and the
    /// GPUs it runs on, so a job that crashed two GPUs' backends is recognised as poison.
    public let faultDomain: String
    private let status = Mutex<Int32?>(nil)

    public init(faultDomain: String) {
        self.faultDomain = faultDomain
    }

    /// The backend exited with `status` (negative: killed by that signal).
    public func markExited(status: Int32) {
        self.status.withLock { if $0 == nil { $0 = status } }
    }

    /// The exit status, once the backend died.
    public var exitStatus: Int32? { status.withLock { $0 } }

    /// Waits up to `limit` for the backend's exit to be known: a request that failed because
    /// the backend died usually fails a few milliseconds before the lane sees the exit.
    /// Returns the status, or nil if the backend still runs (a hung or unreachable server).
    public func exitStatus(within limit: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + limit
        while true {
            if let status = exitStatus { return status }
            // The lane cancels the workers only after marking the exit, so a cancelled task
            // already knows; Task.sleep would return at once and spin.
            if Task.isCancelled || ContinuousClock.now >= deadline { return exitStatus }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension VelocityErrorCode {
    /// The backend process died while it ran the job: the attempt is spent, and a job that
    /// took down backends on two GPUs is dead at once.
    public static let backendCrash: Self = "backend_crash"
}
