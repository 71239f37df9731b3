/// Why an attempt ended without success, and what should happen next.
public struct JobFailure: Sendable, Equatable {
    public enum Disposition: String, Sendable {
        /// Retry with backoff if `retriable` and attempts remain; else dead (retriable) or failed.
        case error
        /// The worker asks for another attempt after `delayMilliseconds` (counts as an attempt).
        case retry
        /// Give the attempt back unspent and requeue at once (a draining worker).
        case release
        /// The worker stopped because the job was canceled.
        case canceled
    }

    public var code: String
    public var message: String
    public var retriable: Bool
    public var disposition: Disposition
    /// For `.retry`; `.error` uses the job's backoff policy.
    public var delayMilliseconds: Int?

    public init(code: String, message: String, retriable: Bool = true, disposition: Disposition = .error, delayMilliseconds: Int? = nil) {
        self.code = code
        self.message = message
        self.retriable = retriable
        self.disposition = disposition
        self.delayMilliseconds = delayMilliseconds
    }
}
