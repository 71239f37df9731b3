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
    /// The backend or device the failed attempt took down with it (a ComfyUI that crashed
    /// under the job, named per box and GPU). The broker keeps the distinct domains of each job:
    /// a job that took down `JobFailure.faultDomainLimit` different ones is dead at once,
    /// whatever attempts it has left, so a poison input cannot crash a whole box in turn.
    public var faultDomain: String?

    /// What the failed attempt was answered (JSON), kept as the job's `result`: an LLM line's
    /// `{"status_code", "body"}` from the server, so a batch's error file shows the server's
    /// status and error object as OpenAI's does. Nil keeps no result.
    public var response: String?

    /// Distinct fault domains a job may take down before it is dead-lettered.
    public static let faultDomainLimit = 2

    public init(
        code: String, message: String, retriable: Bool = true, disposition: Disposition = .error,
        delayMilliseconds: Int? = nil, faultDomain: String? = nil, response: String? = nil
    ) {
        self.response = response
        self.code = code
        self.message = message
        self.retriable = retriable
        self.disposition = disposition
        self.delayMilliseconds = delayMilliseconds
        self.faultDomain = faultDomain
    }
}
