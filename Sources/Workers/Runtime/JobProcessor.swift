public import Broker
public import JobContracts

/// Runs the jobs of one contract: it receives the payload decoded (once, by `JobRouter`) and
/// returns the typed result, which the router encodes as the job's result.
///
/// Throw a `JobError` to say whether a failure is worth retrying (any other error is retried).
public protocol JobProcessor<Contract>: Sendable {
    associatedtype Contract: JobContract
    func process(_ payload: Contract.Payload, job: ClaimedJob, context: JobContext) async throws -> Contract.Result
}

/// A `JobHandler` for several kinds: each claimed job goes to its kind's processor with its
/// payload decoded by the kind's contract. A payload that does not decode fails the job with
/// `invalid_payload` (not retried); a kind nobody registered fails with `unsupported_kind`.
public struct JobRouter: JobHandler {
    private var routes: [String: @Sendable (ClaimedJob, JobContext) async throws -> String?] = [:]

    public init() {}

    /// Routes `P.Contract.kind` to `processor`, replacing any earlier route of that kind.
    public mutating func register<P: JobProcessor>(_ processor: P) {
        routes[P.Contract.kind.name] = { job, context in
            let payload = try P.Contract.payload(fromJSON: job.payload)
            let result = try await processor.process(payload, job: job, context: context)
            return try P.Contract.encode(result: result)
        }
    }

    /// The kinds with a route, sorted.
    public var kinds: [String] { routes.keys.sorted() }

    public func handle(_ job: ClaimedJob, context: JobContext) async throws -> String? {
        guard let route = routes[job.kind] else {
            throw JobError(
                code: "unsupported_kind", message: "this worker runs \(kinds.joined(separator: ", ")), not \(job.kind)",
                retriable: false)
        }
        return try await route(job, context)
    }
}
