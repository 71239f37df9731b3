import Foundation

/// Whether an in-progress batch finishes inside its completion window at the pace its lines
/// run as backfill, and whether its open lines should be promoted so that it does. Pure: the
/// coordinator promotes on it, the batch object and `/metrics` show it.
///
/// The pace is the batch's own: lines ended since it started ÷ the time since. The time its
/// open lines still need at that pace, over the time left, is the risk ratio: below
/// `atRiskRatio` the batch is on track, up to 1 at risk, past 1 late (it misses at this pace).
/// A batch is promoted when the ratio reaches `atRiskRatio`: its lines leave the backfill band
/// for a deadline class (`promotionPriority`), above other backfill and scoring, still below
/// interactive chats, and move up a class each time the time left to its window halves, so
/// promoted batches run earliest due first (to a factor of two in time left).
/// A batch none of whose lines has ended yet is given `startGrace` of its window before its
/// pace (none) counts against it.
public struct BatchWindow: Sendable, Equatable {
    public enum Risk: String, Sendable, Codable {
        case onTrack = "on_track"
        case atRisk = "at_risk"
        case late
    }

    public var risk: Risk
    /// Time needed at the current pace ÷ time left; nil while there is no pace to judge by.
    public var ratio: Double?
    /// When the open lines would all have ended at the current pace (seconds since 1970).
    public var projectedCompletionAt: Double?
    /// Promote its open lines now.
    public var promote: Bool

    public static let atRiskRatio = 0.8
    public static let startGrace = 0.1
    /// The lowest deadline class: above other backfill (-500) and scoring (0).
    public static let promotedPriority = 100
    /// The highest: still below chats (500).
    public static let maxPromotedPriority = 490
    /// One class per halving of the time left below a day.
    public static let classStep = 30

    /// The priority a promoted batch's open lines run at with `secondsLeft` until its window
    /// closes: `promotedPriority` with a day or more left, `classStep` more per halving of that,
    /// at most `maxPromotedPriority`. Monotone: the less time left, the higher.
    public static func promotionPriority(secondsLeft: Double) -> Int {
        let halvings = log2(86_400 / max(secondsLeft, 1)).rounded(.down)
        guard halvings > 0 else { return promotedPriority }
        return min(promotedPriority + classStep * Int(halvings), maxPromotedPriority)
    }

    /// The deadline class to promote the batch's open lines to now, or nil for none: the first
    /// promotion when this assessment says so; once promoted (to `promotedTo`, the lowest class
    /// when not recorded), the next class when the time left has halved into it.
    public func promotion(secondsLeft: Double, promoted: Bool, promotedTo: Int?) -> Int? {
        let priority = Self.promotionPriority(secondsLeft: secondsLeft)
        if promoted { return priority > promotedTo ?? Self.promotedPriority ? priority : nil }
        return promote ? priority : nil
    }

    /// Assesses a batch of `total` lines, `ended` of them over, that started at `startedAt` and
    /// expires at `expiresAt`, at `now` (all seconds since 1970).
    public static func assess(
        total: Int, ended: Int, startedAt: Double, expiresAt: Double, now: Double, promoted: Bool
    ) -> BatchWindow {
        let open = max(total - ended, 0)
        guard open > 0 else { return BatchWindow(risk: .onTrack, ratio: 0, projectedCompletionAt: now, promote: false) }
        let left = expiresAt - now
        guard left > 0 else { return BatchWindow(risk: .late, ratio: nil, projectedCompletionAt: nil, promote: false) }
        let elapsed = max(now - startedAt, 0)
        guard ended > 0, elapsed > 0 else {
            // Nothing ended yet: no pace. Past the grace, that is as late as it gets.
            let graceOver = elapsed >= startGrace * max(expiresAt - startedAt, 0)
            return BatchWindow(
                risk: graceOver ? .late : .onTrack, ratio: nil, projectedCompletionAt: nil, promote: graceOver && !promoted)
        }
        let needed = Double(open) * elapsed / Double(ended)
        let ratio = needed / left
        let risk: Risk = ratio < atRiskRatio ? .onTrack : ratio <= 1 ? .atRisk : .late
        return BatchWindow(
            risk: risk, ratio: ratio, projectedCompletionAt: now + needed, promote: !promoted && ratio >= atRiskRatio)
    }
}
