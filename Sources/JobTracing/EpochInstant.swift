public import Tracing

/// A moment given in Unix milliseconds (Redis's clock, a job's creation), for spans whose start
/// is known only after the fact, such as a claim.
public struct EpochInstant: TracerInstant {
    public var nanosecondsSinceEpoch: UInt64

    public init(milliseconds: Int) {
        nanosecondsSinceEpoch = UInt64(max(0, milliseconds)) * 1_000_000
    }

    public static func < (a: EpochInstant, b: EpochInstant) -> Bool { a.nanosecondsSinceEpoch < b.nanosecondsSinceEpoch }
}
