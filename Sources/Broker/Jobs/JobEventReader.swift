/// Reads one queue's state changes in order, from when it was made.
public protocol JobEventReader: Sendable {
    var queue: String { get }
    /// Up to `maxEvents` changes after the last one read, waiting up to `wait` for the first
    /// (blocking, not polling); none when `wait` passes without a change.
    func read(maxEvents: Int, wait: Duration) async throws -> [JobEvent]
    func close() async
}
