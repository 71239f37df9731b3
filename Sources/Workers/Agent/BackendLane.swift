import CurlClient
import Foundation
import GPUBox
import Logging
import ServiceLifecycle
import Synchronization

/// Supervises one lane: starts its backend, waits for a passing health check, runs its workers
/// once told to consume, restarts the backend when it crashes (backing off), recycles it after
/// N jobs, on memory growth or when a worker finds it silent, and stops it on request —
/// draining the workers first, with a deadline past which running jobs are given back unspent.
///
/// Everything that happens arrives as an event in one inbox and is handled by `run()` in
/// order, so the lane's state changes in one place.
final class BackendLane: Sendable {
    enum State: String, Sendable {
        case starting, ready, consuming, restarting, draining, stopped, failed
    }

    /// What the agent publishes about the lane.
    struct Snapshot: Sendable {
        var state: State = .starting
        var restarts = 0
        var currentJobs: [String] = []
        var jobsSinceStart = 0
        var lastError: String?
        /// The last lines the backend printed before its last failure: why it failed.
        var lastOutput: [String] = []
        var memoryAtReadyMiB: Int?
        /// The running backend's process id.
        var pid: Int32?
    }

    enum Event: Sendable {
        case consume
        case recycle(reason: String)
        case stop(drain: Duration)
        /// A hardware fault: stop at once, running jobs given back to run elsewhere.
        case abandon(reason: String)
        case exited(incarnation: Int, status: Int32)
        /// The backend passed its health check; an LLM server's served model name with it.
        case ready(incarnation: Int, servedModel: String?)
        case notReady(incarnation: Int, reason: String)
        case workersEnded(incarnation: Int, error: String?)
    }

    let spec: LaneSpec
    private let environment: LaneEnvironment
    private let inbox: AsyncStream<Event>
    private let post: AsyncStream<Event>.Continuation
    private let board = Mutex(Snapshot())
    private let stopped = Mutex<(done: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    private let currentProcess = Mutex<BackendProcess?>(nil)
    private let readiness = Mutex<(settled: Bool, error: String?, waiters: [CheckedContinuation<String?, Never>])>(
        (false, nil, []))

    init(spec: LaneSpec, environment: LaneEnvironment) {
        self.spec = spec
        self.environment = environment
        (inbox, post) = AsyncStream.makeStream(of: Event.self)
    }

    var snapshot: Snapshot { board.withLock { $0 } }

    func send(_ event: Event) { post.yield(event) }

    /// Waits until the backend passed its first health check (nil) or gave up (the reason).
    func waitUntilSettled() async -> String? {
        await withCheckedContinuation { continuation in
            let settled = readiness.withLock { state -> (Bool, String?) in
                if state.settled { return (true, state.error) }
                state.waiters.append(continuation)
                return (false, nil)
            }
            if settled.0 { continuation.resume(returning: settled.1) }
        }
    }

    private func settle(_ error: String?) {
        let waiters = readiness.withLock { state -> [CheckedContinuation<String?, Never>] in
            guard !state.settled else { return [] }
            state.settled = true
            state.error = error
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: error) }
    }

    /// Returns once `run()` ended: the backend exited and the workers are gone.
    func waitUntilStopped() async {
        await withCheckedContinuation { continuation in
            let done = stopped.withLock { state -> Bool in
                if state.done { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Whether `run()` ended.
    var isStopped: Bool { stopped.withLock { $0.done } }

    /// Asks for a recycle when the backend's resident memory grew past `limitMiB` since it
    /// became ready (ComfyUI's host memory grows per run until restarted).
    func checkMemoryGrowth(limitMiB: Int) {
        guard limitMiB > 0, let now = currentProcess.withLock({ $0 })?.residentMemoryMiB else { return }
        let snapshot = snapshot
        guard snapshot.state == .consuming, let base = snapshot.memoryAtReadyMiB, now - base > limitMiB else { return }
        update { $0.memoryAtReadyMiB = now }  // one recycle request per growth
        send(.recycle(reason: "host memory grew by \(now - base) MiB"))
    }

    /// Runs until the lane is stopped (or given up on). Child tasks (the backend's exit watcher,
    /// the health check, the workers) live in one task group per backend incarnation.
    func run() async {
        var incarnation = 0
        var consuming = false
        var consecutiveFailures = 0
        var stopping: Duration? = nil
        var iterator = inbox.makeAsyncIterator()
        lifecycle: while stopping == nil {
            incarnation += 1
            let current = incarnation
            let process: BackendProcess
            // The log outlives incarnations: this one's output starts at the size it has now.
            let logStart = LogTail.size(ofFileAt: environment.logPath(spec))
            do {
                process = try await environment.startBackend(spec)
            } catch {
                consecutiveFailures += 1
                if await giveUpOrBackOff(
                    error.description, failures: consecutiveFailures, iterator: &iterator, stopping: &stopping)
                {
                    break lifecycle
                }
                continue lifecycle
            }
            currentProcess.withLock { $0 = process }
            update { $0.pid = process.pid }
            environment.logger.info("\(spec.name) started as pid \(process.pid) (log: \(environment.logPath(spec)))")
            let lifeline = BackendLifeline(faultDomain: environment.faultDomain(spec))
            update { $0.state = $0.restarts == 0 && current == 1 ? .starting : .restarting }
            let outcome: IncarnationOutcome = await withTaskGroup(of: Void.self) { group in
                group.addTask { [post] in post.yield(.exited(incarnation: current, status: await process.waitForExit())) }
                group.addTask { [environment, spec, post] in
                    do {
                        let servedModel = try await environment.waitReady(spec, process: process)
                        post.yield(.ready(incarnation: current, servedModel: servedModel))
                    } catch {
                        post.yield(.notReady(incarnation: current, reason: "\(error)"))
                    }
                }
                var workers: ServiceGroup?
                var ready = false
                var servedModel: String?
                while let event = await iterator.next() {
                    switch event {
                    case .consume:
                        consuming = true
                        if ready && workers == nil {
                            workers = startWorkers(
                                in: &group, incarnation: current, servedModel: servedModel, lifeline: lifeline)
                        }
                    case .ready(let number, let model) where number == current:
                        ready = true
                        servedModel = model
                        consecutiveFailures = 0
                        update {
                            $0.state = .ready
                            $0.lastOutput = []
                            $0.jobsSinceStart = 0
                            $0.memoryAtReadyMiB = process.residentMemoryMiB
                        }
                        settle(nil)
                        if consuming {
                            workers = startWorkers(
                                in: &group, incarnation: current, servedModel: servedModel, lifeline: lifeline)
                        }
                    case .notReady(let number, let reason) where number == current:
                        let output = LogTail.lines(ofFileAt: environment.logPath(spec), after: logStart)
                        update {
                            $0.lastError = reason
                            $0.lastOutput = output
                        }
                        await process.stop(grace: .seconds(5))
                        group.cancelAll()
                        return .failedStart(reason)
                    case .exited(let number, let status) where number == current:
                        let output = LogTail.lines(ofFileAt: environment.logPath(spec), after: logStart)
                        // With what it printed last, so a halted or rolled-back switch says why.
                        let reason =
                            "\(spec.name) (pid \(process.pid)) exited with status \(status)"
                            + (output.last.map { ": \($0)" } ?? "")
                        update {
                            $0.lastError = reason
                            $0.lastOutput = output
                        }
                        // Before the workers are cancelled: the job a worker holds now spends
                        // its attempt (it may be what killed the backend), unlike in a drain.
                        lifeline.markExited(status: status)
                        group.cancelAll()
                        return ready ? .crashed(reason) : .failedStart(reason)
                    case .workersEnded(let number, let error) where number == current:
                        workers = nil
                        if let error, stopping == nil {
                            update { $0.lastError = "workers stopped: \(error)" }
                            await process.stop(grace: .seconds(10))
                            group.cancelAll()
                            return .crashed("workers stopped: \(error)")
                        }
                        if let drain = stopping {
                            await stopBackend(process, drain: drain)
                            group.cancelAll()
                            return .stopped
                        }
                    case .recycle(let reason):
                        environment.logger.info("recycling \(spec.name): \(reason)")
                        update { $0.state = .draining }
                        if let workers {
                            await workers.triggerGracefulShutdown()
                            _ = await waitForWorkers(
                                &iterator, incarnation: current, deadline: environment.configuration.drainDeadline,
                                lifeline: lifeline)
                        }
                        await stopBackend(process, drain: .seconds(10))
                        group.cancelAll()
                        return .recycled
                    case .stop(let drain):
                        stopping = drain
                        update { $0.state = .draining }
                        guard let workers else {
                            await stopBackend(process, drain: drain)
                            group.cancelAll()
                            return .stopped
                        }
                        await workers.triggerGracefulShutdown()
                        if await waitForWorkers(&iterator, incarnation: current, deadline: drain, lifeline: lifeline) == false {
                            // Past the deadline: cancelling gives the running jobs back unspent.
                            group.cancelAll()
                        }
                        await stopBackend(process, drain: .seconds(10))
                        group.cancelAll()
                        return .stopped
                    case .abandon(let reason):
                        stopping = .zero
                        update { $0.lastError = reason }
                        group.cancelAll()
                        process.kill()
                        _ = await process.waitForExit()
                        return .stopped
                    default:
                        continue  // an event of an earlier incarnation
                    }
                }
                return .stopped
            }
            switch outcome {
            case .stopped:
                break lifecycle
            case .recycled:
                update { $0.restarts += 1 }
            case .crashed(let reason):
                environment.logger.warning("\(spec.name) crashed: \(reason); restarting")
                update { $0.restarts += 1 }
                consecutiveFailures += 1
                if await giveUpOrBackOff(reason, failures: consecutiveFailures, iterator: &iterator, stopping: &stopping) {
                    break lifecycle
                }
            case .failedStart(let reason):
                consecutiveFailures += 1
                if await giveUpOrBackOff(reason, failures: consecutiveFailures, iterator: &iterator, stopping: &stopping) {
                    break lifecycle
                }
            }
        }
        update {
            if $0.state != .failed { $0.state = .stopped }
            $0.currentJobs = []
            $0.pid = nil
        }
        settle(snapshot.lastError ?? "\(spec.name) stopped")
        currentProcess.withLock { $0 = nil }
        post.finish()
        let waiters = stopped.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private enum IncarnationOutcome {
        case stopped, recycled
        case crashed(String)
        case failedStart(String)
    }

    /// After a failure: gives up past the configured count (the lane fails), else waits the
    /// backoff — unless a stop arrives meanwhile. Returns true when the lane must end.
    private func giveUpOrBackOff(
        _ reason: String, failures: Int, iterator: inout AsyncStream<Event>.Iterator, stopping: inout Duration?
    ) async -> Bool {
        // The cause is in what the backend printed last: say it here, not only in its log file.
        let output = snapshot.lastOutput.last.map { "; it printed: \($0)" } ?? ""
        environment.logger.warning(
            "\(spec.name): \(reason) (failure \(failures) in a row)\(output) [log: \(environment.logPath(spec))]")
        if failures >= environment.configuration.maxConsecutiveStartFailures {
            update {
                $0.state = .failed
                $0.lastError = "gave up after \(failures) failures in a row: \(reason)"
            }
            settle(reason)
            // Stay until told to stop, so the agent sees the failure and decides.
            while let event = await iterator.next() {
                if case .stop = event { return true }
                if case .abandon = event { return true }
            }
            return true
        }
        update { $0.state = .restarting }
        let backoff = min(environment.configuration.maxRestartBackoff, .seconds(1) * (1 << min(failures - 1, 10)))
        let wake = post
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // Only a sleep that ran out wakes the lane: a cancelled one must not leave a
                // stale wake-up in the inbox for a later wait.
                guard (try? await Task.sleep(for: backoff)) != nil else { return }
                wake.yield(.ready(incarnation: -1, servedModel: nil))  // a wake-up no incarnation matches
            }
            defer { group.cancelAll() }
            while let event = await iterator.next() {
                switch event {
                case .stop, .abandon:
                    stopping = .zero
                    return true
                case .ready(incarnation: -1, _):
                    return false
                default:
                    continue
                }
            }
            return true
        }
    }

    private func startWorkers(
        in group: inout TaskGroup<Void>, incarnation: Int, servedModel: String?, lifeline: BackendLifeline
    ) -> ServiceGroup? {
        do {
            let services = try environment.makeWorkers(
                spec, servedModel: servedModel, lifeline: lifeline,
                activity: { [weak self] activity in self?.note(activity) })
            var configuration = ServiceGroupConfiguration(
                services: services.map { .init(service: $0) }, logger: environment.logger)
            configuration.gracefulShutdownSignals = []
            configuration.cancellationSignals = []
            configuration.maximumGracefulShutdownDuration = environment.configuration.drainDeadline
            let workers = ServiceGroup(configuration: configuration)
            update { $0.state = .consuming }
            group.addTask { [post] in
                do {
                    try await workers.run()
                    post.yield(.workersEnded(incarnation: incarnation, error: nil))
                } catch {
                    post.yield(.workersEnded(incarnation: incarnation, error: "\(error)"))
                }
            }
            return workers
        } catch {
            post.yield(.workersEnded(incarnation: incarnation, error: "could not make the workers: \(error)"))
            return nil
        }
    }

    /// Waits for the workers to end after a graceful shutdown; false past the deadline. Other
    /// events that arrive meanwhile are of no use to a lane on its way down.
    ///
    /// The backend dying meanwhile marks `lifeline` (the job it held spent its attempt); a
    /// hardware fault (`.abandon`) ends the wait at once and is posted again for the lane's loop.
    private func waitForWorkers(
        _ iterator: inout AsyncStream<Event>.Iterator, incarnation: Int, deadline: Duration, lifeline: BackendLifeline
    ) async -> Bool {
        let wake = post
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                guard (try? await Task.sleep(for: deadline)) != nil else { return }
                wake.yield(.workersEnded(incarnation: -1, error: "deadline"))
            }
            defer { group.cancelAll() }
            while let event = await iterator.next() {
                switch event {
                case .workersEnded(let number, _) where number == incarnation: return true
                case .workersEnded(incarnation: -1, _): return false
                case .exited(let number, let status) where number == incarnation:
                    lifeline.markExited(status: status)
                    wake.yield(event)
                    return false
                case .abandon:
                    wake.yield(event)
                    return false
                default: continue
                }
            }
            return false
        }
    }

    private func stopBackend(_ process: BackendProcess, drain: Duration) async {
        let began = ContinuousClock.now
        await environment.freeBackend(spec)
        await process.stop(grace: .seconds(15))
        environment.logger.info(
            "\(spec.name) (pid \(process.pid)) stopped with status \(process.exitStatus.map(String.init) ?? "?") in \((ContinuousClock.now - began).milliseconds) ms"
        )
    }

    private func note(_ activity: WorkerActivity) {
        switch activity {
        case .jobStarted(let id):
            update { $0.currentJobs.append(id) }
        case .jobProgress:
            break
        case .jobFinished(let id, _):
            let recycle = board.withLock { state -> Bool in
                state.currentJobs.removeAll { $0 == id }
                state.jobsSinceStart += 1
                let limit = environment.configuration.recycleAfterJobs
                return spec.role == "media" && limit > 0 && state.jobsSinceStart == limit
            }
            if recycle { send(.recycle(reason: "served \(environment.configuration.recycleAfterJobs) jobs")) }
        case .backendUnresponsive(let reason):
            send(.recycle(reason: "a worker found it unresponsive: \(reason)"))
        }
    }

    private func update(_ body: (inout Snapshot) -> Void) {
        board.withLock { body(&$0) }
    }
}
