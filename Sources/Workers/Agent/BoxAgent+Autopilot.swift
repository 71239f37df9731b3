import GPUBox

extension BoxAgent {
    /// While an operator has the box's autopilot on: reads the queued demand, advises, and asks
    /// for the advised mode when `Autopilot`'s hysteresis allows. The request goes through the
    /// store like an operator's (the control loop performs it, audited with its reason), and
    /// only while the autopilot is still on and no operator request came first.
    func autopilotLoop() async {
        var pilot = Autopilot()
        var switches = 0
        // The request the control loop had taken up last when the autopilot asked for a switch:
        // until it takes up another (the autopilot's, or an operator's that came first), the
        // autopilot waits.
        var handledWhenAsked: String??
        let origin = ContinuousClock.now
        func seconds(_ instant: ContinuousClock.Instant) -> Double { (instant - origin).inSeconds }
        while !state.finished.load(ordering: .acquiring) {
            try? await Task.sleep(for: .milliseconds(configuration.autopilotIntervalMilliseconds))
            guard !Task.isShuttingDownGracefully else { break }
            let setting: AutopilotSetting?
            do {
                setting = try await store.autopilot(box: configuration.box)
            } catch {
                logger.warning("autopilot: could not read its setting: \(error)")
                continue
            }
            // Never turned on: nothing to report.
            guard let setting else { continue }
            var decision: Autopilot.Decision
            if !setting.enabled {
                handledWhenAsked = nil
                pilot = Autopilot()
                decision = .hold(reason: "the autopilot is off" + (setting.note.map { ": \($0)" } ?? ""))
            } else if let before = handledWhenAsked, state.handledRequestID.withLock({ $0 }) == before {
                decision = .hold(reason: "waiting for the switch it asked for to start")
            } else if let (advice, own) = await adviceForThisBox() {
                handledWhenAsked = nil
                // Whether a switch runs as of the status the advice was made from: a switch that
                // ended while the demand was read must not leave a decision on the mode before it.
                decision = pilot.decide(
                    advice, setting: setting, switching: own.switching != nil,
                    modeSince: seconds(state.modeSince.withLock { $0 }), now: seconds(.now))
            } else {
                decision = .hold(reason: "the queued demand could not be read")
            }
            if case .switchTo(let mode, let reason) = decision {
                let request = ModeRequest(box: configuration.box, mode: mode, requestedBy: ModeRequest.autopilot, reason: reason)
                do {
                    let handled = state.handledRequestID.withLock { $0 }
                    if try await store.requestAutomatically(request, handledID: handled) {
                        switches += 1
                        handledWhenAsked = .some(handled)
                        logger.notice("autopilot: switching \(configuration.box) to \(mode) (request \(request.id)): \(reason)")
                    } else {
                        decision = .hold(reason: "an operator's request or setting came first")
                        logger.info("autopilot: an operator's request or setting came first; not switching to \(mode)")
                    }
                } catch {
                    decision = .hold(reason: "could not request \(mode): \(error)")
                    logger.warning("autopilot: could not request \(mode): \(error)")
                }
            }
            let isSwitch = if case .switchTo = decision { true } else { false }
            state.autopilot.withLock {
                $0 = AutopilotReport(
                    enabled: setting.enabled, decision: isSwitch ? "switch" : "hold", reason: decision.reason,
                    pendingMode: pilot.pending?.mode, switches: switches)
            }
        }
    }

    /// This box's advice, from the demand every live box shares, and the status of this box it
    /// was made from; nil when it cannot be read.
    private func adviceForThisBox() async -> (ModeAdvice, BoxStatus)? {
        guard let advice else { return nil }
        do {
            var views = try await store.boxes()
            // This agent's own view, fresh: its published one is up to a tick old.
            let own = status()
            if let index = views.firstIndex(where: { $0.status.box == configuration.box }) {
                views[index].status = own
                views[index].heartbeatAgeMilliseconds = 0
            }
            return try await advice.advice(views).first { $0.box == configuration.box }.map { ($0, own) }
        } catch {
            logger.warning("autopilot: could not read the demand: \(error)")
            return nil
        }
    }
}
