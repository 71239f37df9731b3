/// Where a job lives: enough to act on it through the broker.
public struct JobReference: Sendable, Hashable {
    public var queue: String
    public var id: String

    public init(queue: String, id: String) {
        self.queue = queue
        self.id = id
    }
}
