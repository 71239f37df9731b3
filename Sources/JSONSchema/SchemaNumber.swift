import VelocityTypes

/// A JSON number as the numeric keywords compare it: integers stay exact, so that 64-bit
/// values near the limits are not rounded through `Double`.
enum SchemaNumber: Sendable, Hashable {
    case int(Int64)
    case double(Double)

    init?(_ value: JSONValue) {
        switch value {
        case .int(let number): self = .int(number)
        case .double(let number): self = .double(number)
        default: return nil
        }
    }

    var doubleValue: Double {
        switch self {
        case .int(let number): Double(number)
        case .double(let number): number
        }
    }

    /// Negative, zero or positive as `self` is below, equal to or above `other`.
    func compare(to other: SchemaNumber) -> Int {
        switch (self, other) {
        case (.int(let lhs), .int(let rhs)): lhs < rhs ? -1 : (lhs == rhs ? 0 : 1)
        case (.int(let lhs), .double(let rhs)): Self.compare(lhs, rhs)
        case (.double(let lhs), .int(let rhs)): -Self.compare(rhs, lhs)
        case (.double(let lhs), .double(let rhs)): lhs < rhs ? -1 : (lhs == rhs ? 0 : 1)
        }
    }

    /// Whether `self` divided by `divisor` is a whole number. Binary doubles cannot hold most
    /// decimal fractions (0.0075 / 0.0001 is 75.00000000000001), so a quotient within 1e-9 of
    /// a whole number counts as one.
    func isMultiple(of divisor: SchemaNumber) -> Bool {
        if case .int(let value) = self, case .int(let step) = divisor {
            return value % step == 0
        }
        let quotient = doubleValue / divisor.doubleValue
        guard quotient.isFinite else { return false }
        return abs(quotient - quotient.rounded()) < 1e-9
    }

    /// `100` for 100 and 100.0, `2.5` for 2.5.
    var text: String {
        switch self {
        case .int(let number):
            return String(number)
        case .double(let number):
            if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
            return String(number)
        }
    }

    /// Compares exactly: converting a large integer to `Double` would round it.
    private static func compare(_ lhs: Int64, _ rhs: Double) -> Int {
        if rhs >= 9_223_372_036_854_775_808.0 { return -1 }
        if rhs < -9_223_372_036_854_775_808.0 { return 1 }
        let whole = rhs.rounded(.down)
        let wholeInt = Int64(whole)
        if lhs != wholeInt { return lhs < wholeInt ? -1 : 1 }
        return whole == rhs ? 0 : -1
    }
}
