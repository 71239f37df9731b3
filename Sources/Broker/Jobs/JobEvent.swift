/// One state change of one job, as the broker's scripts recorded it in the queue's event stream.
public struct JobEvent: Sendable, Equatable {
    /// Where the change sits in the queue's stream; later changes have greater positions.
    public var position: String
    public var jobID: String
    /// A `JobState` raw value, or `progress` / `cancel_requested`, which are changes that leave
    /// the state as it is.
    public var state: String
    /// The attempt a `starting` change began; nil for the other changes.
    public var attempt: Int?

    public init(position: String, jobID: String, state: String, attempt: Int? = nil) {
        self.position = position
        self.jobID = jobID
        self.state = state
        self.attempt = attempt
    }
}
