public import VelocityTypes

/// The JSON value recovered from a model's answer, and every repair it took.
public struct RecoveredJSON: Sendable, Equatable {
    /// The first top-level value.
    public var value: JSONValue
    /// Further top-level values that followed the first (`{…}{…}`), in order.
    public var additionalValues: [JSONValue]
    /// Each repair, document-level ones (fence, surrounding text, additional values) first,
    /// then the value's in text order: at most `JSONRecovery.repairListLimit` of those, and a
    /// truncation besides.
    public var repairs: [JSONRepair]
    /// Repairs made but left out of `repairs` past the limit, so that a pathological answer
    /// does not produce a report larger than itself.
    public var unlistedRepairCount: Int

    public init(
        value: JSONValue, additionalValues: [JSONValue] = [], repairs: [JSONRepair] = [],
        unlistedRepairCount: Int = 0
    ) {
        self.value = value
        self.additionalValues = additionalValues
        self.repairs = repairs
        self.unlistedRepairCount = unlistedRepairCount
    }

    /// Whether the answer was strict JSON with nothing repaired (surrounding whitespace aside).
    public var isClean: Bool { repairs.isEmpty && unlistedRepairCount == 0 }
}
