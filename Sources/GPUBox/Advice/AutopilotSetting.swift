/// Whether a box switches mode by itself when its advice says so, and how reluctantly. Kept per
/// box in Redis (`BoxStateStore.setAutopilot`); off unless an operator turns it on, and turned
/// off again by any explicit mode request of an operator, who hands control back by turning it
/// on (`PUT /v1/ops/mode/autopilot`, `velocity mode --autopilot on`).
public struct AutopilotSetting: Sendable, Equatable, Codable {
    public var enabled: Bool
    /// Least time in a mode, from the end of the switch into it, before the next automatic switch.
    public var minDwellSeconds: Double
    /// How much sooner the queued work must finish in the advised mode, its switch included.
    public var minGainSeconds: Double
    /// How long the advice must keep recommending the same mode: a burst of submits that a
    /// minute clears is not worth a switch.
    public var confirmSeconds: Double
    /// Who changed it last (an operator, or `ModeRequest.autopilot`'s operator override), when and why.
    public var changedBy: String
    public var changedAtMilliseconds: Int
    public var note: String?

    public init(
        enabled: Bool, minDwellSeconds: Double = 600, minGainSeconds: Double = 120, confirmSeconds: Double = 30,
        changedBy: String, changedAtMilliseconds: Int, note: String? = nil
    ) {
        self.enabled = enabled
        self.minDwellSeconds = minDwellSeconds
        self.minGainSeconds = minGainSeconds
        self.confirmSeconds = confirmSeconds
        self.changedBy = changedBy
        self.changedAtMilliseconds = changedAtMilliseconds
        self.note = note
    }

    /// The bounds an operator may set (a day at most: a typo cannot park the autopilot for a year).
    public static let dwellRange: ClosedRange<Double> = 0...86_400
    public static let gainRange: ClosedRange<Double> = 0...86_400
    public static let confirmRange: ClosedRange<Double> = 0...3_600

    /// The first field out of its range, and why; nil when every one is in range.
    public var invalidField: (field: String, message: String)? {
        for (field, value, range) in [
            ("min_dwell_seconds", minDwellSeconds, Self.dwellRange), ("min_gain_seconds", minGainSeconds, Self.gainRange),
            ("confirm_seconds", confirmSeconds, Self.confirmRange),
        ] where !(value.isFinite && range.contains(value)) {
            return (field, "must be from \(Int(range.lowerBound)) to \(Int(range.upperBound)) seconds")
        }
        return nil
    }

    enum CodingKeys: String, CodingKey {
        case enabled, note
        case minDwellSeconds = "min_dwell_seconds"
        case minGainSeconds = "min_gain_seconds"
        case confirmSeconds = "confirm_seconds"
        case changedBy = "changed_by"
        case changedAtMilliseconds = "changed_at_ms"
    }
}
