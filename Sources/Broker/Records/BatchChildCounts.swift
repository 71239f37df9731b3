/// How the children of a batch stand in the system of record, where terminal states arrive
/// through the record sync.
public struct BatchChildCounts: Sendable, Equatable {
    public var succeeded: Int
    /// Failed, dead or canceled.
    public var unsuccessful: Int
    public var all: Int
    /// Of the unsuccessful, those canceled.
    public var canceled: Int

    public var ended: Int { succeeded + unsuccessful }

    public init(succeeded: Int, unsuccessful: Int, all: Int, canceled: Int = 0) {
        self.succeeded = succeeded
        self.unsuccessful = unsuccessful
        self.all = all
        self.canceled = canceled
    }
}
