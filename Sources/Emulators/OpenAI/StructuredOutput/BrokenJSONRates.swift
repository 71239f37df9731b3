/// How often each `BrokenJSONKind` is emitted, as a fraction of structured-output answers.
///
/// A total rate spreads evenly over the kinds (0.3 → 0.05 each); a per-kind override replaces
/// that kind's share. Which answer breaks, and how, is drawn from a seeded generator keyed by
/// the request (`kind(forUnit:)`), so a run is reproducible.
public struct BrokenJSONRates: Sendable, Equatable {
    /// Each kind's rate, 0 to 1.
    public private(set) var rates: [BrokenJSONKind: Double]

    /// Never broken.
    public static let none = BrokenJSONRates()

    public init(total: Double = 0, overrides: [BrokenJSONKind: Double] = [:]) {
        let share = min(max(total, 0), 1) / Double(BrokenJSONKind.allCases.count)
        var rates: [BrokenJSONKind: Double] = [:]
        for kind in BrokenJSONKind.allCases { rates[kind] = min(max(overrides[kind] ?? share, 0), 1) }
        self.rates = rates
    }

    /// The chance that an answer is broken at all; at most 1 for the rates to mean what they say.
    public var total: Double { rates.values.reduce(0, +) }

    /// The kind for a uniform draw `unit` in 0..<1: the kinds take consecutive slices of the
    /// unit interval, in declaration order, each as wide as its rate; past them, none.
    public func kind(forUnit unit: Double) -> BrokenJSONKind? {
        var upper = 0.0
        for kind in BrokenJSONKind.allCases {
            let rate = rates[kind] ?? 0
            upper += rate
            if rate > 0 && unit < upper { return kind }
        }
        return nil
    }
}
