import Foundation

/// The autopilot's decision, advice by advice: whether the box switches to the mode its advice
/// recommends now, with hysteresis so that it does not follow every wobble of the queues. Pure
/// (times are seconds on any monotonic clock), so every rule is tested without a box.
///
/// It switches only when all of these hold: it is enabled; no switch is running; the advice has
/// recommended the same other mode for `confirmSeconds`; the box has been in its mode for
/// `minDwellSeconds`; and the advised mode, switch included, finishes the queued work at least
/// `minGainSeconds` sooner — or serves it better: meets the interactive targets that the
/// current mode misses, or misses fewer batch windows (`ModeAdvice.Option.servesBetter`).
///
/// The confirmation is not awaited when the box is idle in its mode (nothing queued or running
/// in the queues it serves) while work waits that the mode never serves: there is no wobble to
/// sit out, only GPUs idling while that work waits (a box that just finished its batch, a render
/// waiting on it). The dwell still applies.
public struct Autopilot: Sendable, Equatable {
    public enum Decision: Sendable, Equatable {
        case hold(reason: String)
        case switchTo(BoxMode, reason: String)

        public var reason: String {
            switch self {
            case .hold(let reason), .switchTo(_, let reason): reason
            }
        }
    }

    /// A mode the advice recommends over the box's, and since when.
    public struct Pending: Sendable, Equatable {
        public var mode: BoxMode
        public var since: Double
    }

    /// What the advice has recommended while it differs from the box's mode.
    public private(set) var pending: Pending?

    public init() {}

    /// Decides on `advice` at `now`; `modeSince` is when the box's current mode began (the end
    /// of the switch into it, or the agent's start).
    public mutating func decide(
        _ advice: ModeAdvice, setting: AutopilotSetting, switching: Bool, modeSince: Double, now: Double
    ) -> Decision {
        guard setting.enabled else {
            pending = nil
            return .hold(reason: "the autopilot is off")
        }
        guard !switching else {
            pending = nil
            return .hold(reason: "a switch is running")
        }
        guard let current = advice.current else {
            pending = nil
            return .hold(reason: "the box has no mode to leave (a switch halted): an operator decides")
        }
        let target = advice.recommended
        guard target != current else {
            pending = nil
            return .hold(reason: "the advice is to stay in \(current)")
        }
        if pending?.mode != target { pending = Pending(mode: target, since: now) }
        let advised = now - (pending?.since ?? now)
        let idle = Self.isIdleWithWorkWaiting(advice, in: current)
        if advised < setting.confirmSeconds && !idle {
            return .hold(
                reason:
                    "\(target) advised for \(Self.seconds(advised)) of the \(Self.seconds(setting.confirmSeconds)) it must hold")
        }
        let dwelt = now - modeSince
        if dwelt < setting.minDwellSeconds {
            return .hold(
                reason: "in \(current) for \(Self.seconds(dwelt)) of the \(Self.seconds(setting.minDwellSeconds)) minimum dwell")
        }
        guard let stay = advice.options.first(where: { $0.mode == current }),
            let go = advice.options.first(where: { $0.mode == target })
        else { return .hold(reason: "the advice lacks the figures of \(current) or \(target)") }
        let switchText = "a \(Self.seconds(go.switchSeconds)) switch included"
        let unconfirmed =
            idle && advised < setting.confirmSeconds ? "; \(current) has nothing to do, so no confirmation awaited" : ""
        if go.servesBetter(than: stay) {
            pending = nil
            let why =
                go.meetsTargets && !stay.meetsTargets
                ? "\(current) misses the interactive targets and \(target) meets them"
                : "\(current) would miss \(stay.windowsMissed) of the batch windows, \(target) \(go.windowsMissed)"
            return .switchTo(target, reason: why + " (done in \(Self.seconds(go.finishSeconds)), \(switchText))" + unconfirmed)
        }
        let gain = (stay.finishSeconds ?? .infinity) - (go.finishSeconds ?? .infinity)
        guard gain.isFinite ? gain >= setting.minGainSeconds : gain > 0 else {
            return .hold(
                reason: "\(target) would finish \(Self.seconds(max(gain, 0))) sooner (\(switchText)); "
                    + "a switch needs \(Self.seconds(setting.minGainSeconds))")
        }
        pending = nil
        return .switchTo(
            target,
            reason: "\(target) finishes the queued work "
                + (gain.isFinite ? "\(Self.seconds(gain)) sooner" : "where \(current) never would")
                + " (\(Self.seconds(go.finishSeconds)) against \(Self.seconds(stay.finishSeconds)), \(switchText))"
                + unconfirmed)
    }

    /// Whether the queues `mode` serves have nothing queued or running while work waits that
    /// `mode` never finishes (the advice's option for it has no finish time).
    static func isIdleWithWorkWaiting(_ advice: ModeAdvice, in mode: BoxMode) -> Bool {
        guard let stay = advice.options.first(where: { $0.mode == mode }), stay.finishSeconds == nil else { return false }
        return (stay.mediaGPUs == 0 || advice.media.work == 0) && (stay.llmGPUs == 0 || advice.llm.work == 0)
    }

    static func seconds(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "never" }
        return String(format: "%.0f s", value)
    }
}
