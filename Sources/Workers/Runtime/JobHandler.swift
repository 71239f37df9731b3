public import Broker

/// Runs jobs of some kinds. Returns the result as JSON text (or nil); throws `JobError` to say
/// whether a failure is worth retrying (any other error is retried).
public protocol JobHandler: Sendable {
    func handle(_ job: ClaimedJob, context: JobContext) async throws -> String?
}

/// A handler made of a closure.
public struct ClosureJobHandler: JobHandler {
    let body: @Sendable (ClaimedJob, JobContext) async throws -> String?

    public init(_ body: @escaping @Sendable (ClaimedJob, JobContext) async throws -> String?) {
        self.body = body
    }

    public func handle(_ job: ClaimedJob, context: JobContext) async throws -> String? {
        try await body(job, context)
    }
}
