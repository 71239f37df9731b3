/// The mode-switch protocol as a pure state machine: the agent performs each step it is told,
/// reports how it went, and the machine says what comes next, including the rollback after a
/// failure. No I/O here, so every path is unit-tested.
///
/// Rollback: a failure before any backend was stopped resumes the old mode where it stood
/// (start consuming again). A later failure stops whatever the new mode started and brings the
/// old mode back up (start, health check, consume). If that fails too, the box ends with no
/// backends and consumes nothing — the safe mode — and says why.
public struct ModeSwitch: Sendable, Equatable {
    public enum Phase: Sendable, Equatable {
        /// Moving towards the target mode.
        case forward
        /// Going back to the mode the switch started from.
        case rollingBack(reason: String)
    }

    /// What the agent must do next.
    public enum Action: Sendable, Equatable {
        /// Perform `step` for `mode` (the new mode going forward, the old one when rolling back).
        case perform(ModeSwitchStep, mode: BoxMode)
        /// The switch is over.
        case finish(Outcome)
    }

    public enum Outcome: Sendable, Equatable {
        /// The box runs the target mode.
        case switched(to: BoxMode)
        /// The switch failed; the box runs the old mode again.
        case rolledBack(to: BoxMode, reason: String)
        /// The switch and its rollback failed: no backends, nothing consumed.
        case halted(reason: String)
    }

    public let from: BoxMode?
    public let to: BoxMode
    public private(set) var phase: Phase = .forward
    public private(set) var current: Action

    /// A switch from `from` (nil when the box ran nothing, e.g. at start) to `to`.
    public init(from: BoxMode?, to: BoxMode) {
        self.from = from
        self.to = to
        current = .perform(from == nil ? .hydrate : .stopLeasing, mode: to)
    }

    /// Feeds the outcome of the current action; returns (and stores) the next one.
    @discardableResult
    public mutating func advance(succeeded: Bool, reason: String = "") -> Action {
        guard case .perform(let step, _) = current else { return current }
        switch phase {
        case .forward:
            if succeeded {
                if let next = Self.forwardOrder.after(step) {
                    current = .perform(next, mode: to)
                } else {
                    current = .finish(.switched(to: to))
                }
            } else {
                current = rollback(failedAt: step, reason: reason)
            }
        case .rollingBack(let original):
            guard let from else {
                current = .finish(.halted(reason: original))
                return current
            }
            if succeeded {
                if let next = Self.rollbackOrder.after(step) {
                    current = .perform(next, mode: from)
                } else {
                    current = .finish(.rolledBack(to: from, reason: original))
                }
            } else if step == .stopBackends {
                // The new mode's backends would not stop: starting the old ones beside them
                // could overcommit the GPUs.
                current = .finish(.halted(reason: "\(original); then stopping the new backends failed: \(reason)"))
            } else {
                current = .finish(.halted(reason: "\(original); then restoring \(from) failed: \(reason)"))
            }
        }
        return current
    }

    private mutating func rollback(failedAt step: ModeSwitchStep, reason: String) -> Action {
        let failure = "\(step.rawValue) failed: \(reason)"
        guard let from else { return .finish(.halted(reason: failure)) }
        phase = .rollingBack(reason: failure)
        switch step {
        case .stopLeasing, .drain:
            // Nothing was stopped yet: consume the old queues again.
            return .perform(.consume, mode: from)
        case .stopBackends, .hydrate, .startBackends, .healthCheck, .consume:
            return .perform(.stopBackends, mode: to)
        }
    }

    static let forwardOrder: [ModeSwitchStep] = ModeSwitchStep.allCases
    /// After stopping the new mode's backends: the old mode needs no hydration, its models stayed.
    static let rollbackOrder: [ModeSwitchStep] = [.stopBackends, .startBackends, .healthCheck, .consume]
}

extension [ModeSwitchStep] {
    fileprivate func after(_ step: ModeSwitchStep) -> ModeSwitchStep? {
        guard let index = firstIndex(of: step), index + 1 < count else { return nil }
        return self[index + 1]
    }
}
