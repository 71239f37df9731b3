/// Where a job is in its life.
///
/// `queued → starting → processing → succeeded | failed | canceled`, with `retrying` (waiting
/// for a later attempt) and `dead` (out of attempts, kept for inspection and replay).
public enum JobState: String, Sendable, Codable, CaseIterable {
    case queued, starting, processing, succeeded, failed, canceled, retrying, dead

    /// No worker will touch the job again (a dead job may still be replayed by an operator).
    public var isTerminal: Bool {
        switch self {
        case .succeeded, .failed, .canceled, .dead: return true
        case .queued, .starting, .processing, .retrying: return false
        }
    }

    public var isRunning: Bool { self == .starting || self == .processing }
}
