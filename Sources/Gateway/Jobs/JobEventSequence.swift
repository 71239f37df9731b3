import Broker

/// Which events a job's `/events` stream writes, decided without I/O.
///
/// The stream subscribes to the broker's changes before it reads the job's status, so no change
/// is missed; the price is that a change made just before the status read can still be in
/// flight in the hub and arrive after it. Such a change repeats the state the stream already
/// wrote. A state change never leaves a job in the state it had, so a repeated state (other
/// than `progress`, which is a change within a state) is the echo and is dropped.
struct JobEventSequence {
    private(set) var lastName: String
    private(set) var finished: Bool

    /// Starts at the status read after subscribing, which is always the first event written.
    init(firstStatus: String) {
        lastName = firstStatus
        finished = JobState(rawValue: firstStatus)?.isTerminal == true
    }

    /// The event name to write for a broker change, or nil when it only repeats the last one.
    mutating func name(for event: JobEvent) -> String? {
        guard !finished else { return nil }
        if event.state == lastName, event.state != "progress" { return nil }
        lastName = event.state
        finished = JobState(rawValue: event.state)?.isTerminal == true
        return event.state
    }

    /// The closing event when the status read on a quiet stream or after the last change is
    /// terminal but no terminal change was written, so the stream always ends at one.
    mutating func closing(status: String) -> String? {
        guard !finished, JobState(rawValue: status)?.isTerminal == true else { return nil }
        lastName = status
        finished = true
        return status
    }
}
