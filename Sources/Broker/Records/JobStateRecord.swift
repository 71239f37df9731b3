/// A state change the system of record must learn: terminal states, dead, and replays.
///
/// Written by the broker scripts into each queue's outbox (as JSON, in the same atomic step as
/// the change itself) and applied to Postgres in batches by `JobRecordSync`.
public struct JobStateRecord: Sendable, Equatable, Decodable {
    public var id: String
    public var state: JobState
    /// Redis time of the change, ms.
    public var at: Int
    public var attempts: Int
    public var errorCode: String?
    public var errorMessage: String?
    public var result: String?
    public var started: Int?
    public var worker: String?
    /// The job's kind, for metrics by kind.
    public var kind: String?

    enum CodingKeys: String, CodingKey {
        case id, state, at, attempts, result, started, worker, kind
        case errorCode = "error_code"
        case errorMessage = "error_message"
    }

    public init(
        id: String, state: JobState, at: Int, attempts: Int, errorCode: String? = nil, errorMessage: String? = nil,
        result: String? = nil, started: Int? = nil, worker: String? = nil, kind: String? = nil
    ) {
        self.id = id
        self.state = state
        self.at = at
        self.attempts = attempts
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.result = result
        self.started = started
        self.worker = worker
        self.kind = kind
    }
}
