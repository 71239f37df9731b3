/// The text of a one-line progress display:
/// `[#####-----] 50% processing · rendering step 10/20 · 12.3s`.
///
/// Pure formatting, so it can be tested; drawing it (on a terminal only) is the caller's job.
public struct ProgressLine: Sendable, Equatable {
    /// Done, from 0 to 1; nil while unknown (the bar stays empty and no percentage shows).
    public var fraction: Double?
    /// A short state word: `queued`, `processing`, `in_progress`.
    public var status: String
    /// Details: a progress message, a queue position, counts.
    public var message: String?
    public var elapsedSeconds: Double

    public init(fraction: Double?, status: String, message: String? = nil, elapsedSeconds: Double) {
        self.fraction = fraction
        self.status = status
        self.message = message
        self.elapsedSeconds = elapsedSeconds
    }

    /// The line, with a bar `barWidth` cells wide.
    public func rendered(barWidth: Int = 20) -> String {
        let width = max(1, barWidth)
        var parts: [String] = []
        if let fraction, fraction.isFinite {
            let clamped = min(1, max(0, fraction))
            let filled = Int((clamped * Double(width)).rounded(.down))
            let percent = Int((clamped * 100).rounded(.down))
            parts.append(
                "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
                    + "\(percent)% " + status)
        } else {
            parts.append("[" + String(repeating: "-", count: width) + "] " + status)
        }
        if let message, !message.isEmpty { parts.append(message) }
        parts.append(Self.duration(elapsedSeconds))
        return parts.joined(separator: " · ")
    }

    /// `12.3s`, `4m05s`, `2h03m`.
    public static func duration(_ seconds: Double) -> String {
        let s = max(0, seconds.isFinite ? seconds : 0)
        if s < 60 {
            let tenths = Int((s * 10).rounded(.down))
            return "\(tenths / 10).\(tenths % 10)s"
        }
        let whole = Int(s)
        if whole < 3600 {
            return "\(whole / 60)m" + twoDigits(whole % 60) + "s"
        }
        return "\(whole / 3600)h" + twoDigits((whole % 3600) / 60) + "m"
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
