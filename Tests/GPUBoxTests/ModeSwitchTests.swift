import GPUBox
import Testing

@Suite struct ModeSwitchTests {
    /// Drives a machine, succeeding every step except `failing` (by step and phase).
    func run(_ machine: inout ModeSwitch, failAt failing: [(ModeSwitchStep, forward: Bool)] = []) -> [String] {
        var trace: [String] = []
        while case .perform(let step, let mode) = machine.current {
            let forward = machine.phase == .forward
            trace.append("\(forward ? "" : "rollback:")\(step.rawValue)(\(mode))")
            let fails = failing.contains { $0.0 == step && $0.forward == forward }
            machine.advance(succeeded: !fails, reason: fails ? "boom" : "")
            if trace.count > 50 { break }
        }
        return trace
    }

    @Test func successfulSwitchRunsEveryStepInOrder() {
        var machine = ModeSwitch(from: .media, to: .llm)
        let trace = run(&machine)
        #expect(trace == [
            "stop_leasing(llm)", "drain(llm)", "stop_backends(llm)", "hydrate(llm)", "start_backends(llm)",
            "health_check(llm)", "consume(llm)",
        ])
        #expect(machine.current == .finish(.switched(to: .llm)))
    }

    @Test func startingFromNothingSkipsTheDrain() {
        var machine = ModeSwitch(from: nil, to: .split)
        #expect(run(&machine) == ["hydrate(split)", "start_backends(split)", "health_check(split)", "consume(split)"])
        #expect(machine.current == .finish(.switched(to: .split)))
    }

    @Test func failedHealthCheckRollsBackToTheOldMode() {
        var machine = ModeSwitch(from: .media, to: .llm)
        let trace = run(&machine, failAt: [(.healthCheck, forward: true)])
        #expect(trace.suffix(4) == [
            "rollback:stop_backends(llm)", "rollback:start_backends(media)", "rollback:health_check(media)",
            "rollback:consume(media)",
        ])
        #expect(machine.current == .finish(.rolledBack(to: .media, reason: "health_check failed: boom")))
    }

    @Test func failureBeforeBackendsStopResumesTheOldQueues() {
        var machine = ModeSwitch(from: .llm, to: .media)
        let trace = run(&machine, failAt: [(.drain, forward: true)])
        #expect(trace == ["stop_leasing(media)", "drain(media)", "rollback:consume(llm)"])
        #expect(machine.current == .finish(.rolledBack(to: .llm, reason: "drain failed: boom")))
    }

    @Test func failedRollbackHaltsAndSaysWhy() {
        var machine = ModeSwitch(from: .media, to: .llm)
        _ = run(&machine, failAt: [(.hydrate, forward: true), (.healthCheck, forward: false)])
        guard case .finish(.halted(let reason)) = machine.current else {
            Issue.record("expected a halt, got \(machine.current)")
            return
        }
        #expect(reason.contains("hydrate failed: boom"))
        #expect(reason.contains("restoring media failed"))
    }

    @Test func newBackendsThatWillNotStopHaltTheSwitch() {
        var machine = ModeSwitch(from: .media, to: .llm)
        _ = run(&machine, failAt: [(.startBackends, forward: true), (.stopBackends, forward: false)])
        guard case .finish(.halted(let reason)) = machine.current else {
            Issue.record("expected a halt, got \(machine.current)")
            return
        }
        #expect(reason.contains("stopping the new backends failed"))
    }

    @Test func failureWithNoOldModeHalts() {
        var machine = ModeSwitch(from: nil, to: .media)
        _ = run(&machine, failAt: [(.healthCheck, forward: true)])
        #expect(machine.current == .finish(.halted(reason: "health_check failed: boom")))
    }

    @Test func advancingAFinishedSwitchChangesNothing() {
        var machine = ModeSwitch(from: nil, to: .media)
        _ = run(&machine)
        let finished = machine.current
        #expect(machine.advance(succeeded: false, reason: "late") == finished)
    }
}
