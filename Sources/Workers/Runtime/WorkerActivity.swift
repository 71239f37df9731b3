/// What a GPU worker tells its box agent as it goes, so the agent can publish the GPU's
/// current job and notice a dead backend. Delivered synchronously on the worker's task: the
/// callback must return quickly (record it, do not do I/O in it).
public enum WorkerActivity: Sendable, Equatable {
    /// The job's render began on this GPU.
    case jobStarted(jobID: String)
    /// Render progress, 0 to 1.
    case jobProgress(jobID: String, fraction: Double)
    case jobFinished(jobID: String, outcome: WorkerJobOutcome)
    /// The backend stopped answering, lost a prompt or went silent. The worker stopped
    /// claiming (its job went back to the queue for another GPU) and probes the backend until
    /// it answers again, then claims again: restarting the backend is the agent's call.
    case backendUnresponsive(reason: String)
}

/// Where a worker sends its `WorkerActivity`.
public typealias WorkerActivitySink = @Sendable (WorkerActivity) -> Void

/// How a job left the worker.
public enum WorkerJobOutcome: Sendable, Equatable {
    case succeeded
    /// Failed with this error code; the broker retries it or not (by the error's retriability
    /// and the job's attempts).
    case failed(code: String)
    case canceled
    /// Given back unspent (draining, stopping, or the backend went down before its render).
    case released
}
