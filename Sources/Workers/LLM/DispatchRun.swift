import Broker
import Logging
import ServiceLifecycle

/// One run of an `LLMDispatcher`: the claim loop and the loops beside it, sharing the window,
/// the server gate and the worker runtime (leases, acknowledgements, failures).
struct DispatchRun: Sendable {
    let dispatcher: LLMDispatcher
    let client: OpenAIClient
    let window: InFlightWindow
    let gate: ServerGate
    let runtime: WorkerRuntime
    /// The processors of the kinds this dispatcher runs.
    let router: JobRouter

    var configuration: LLMDispatcher.Configuration { dispatcher.configuration }
    var logger: Logger { dispatcher.logger }

    func run(consumer: any JobConsumer) async {
        await runtime.run {
            await withTaskGroup(of: Void.self) { control in
                control.addTask { await watchLoad() }
                control.addTask { await probeWhileDown() }
                await withDiscardingTaskGroup { jobs in
                    await claimLoop(consumer: consumer, jobs: &jobs)
                }
                control.cancelAll()
                gate.wakeAll()
            }
        }
    }

    private var stopping: Bool { Task.isShuttingDownGracefully || Task.isCancelled }

    private func claimLoop(consumer: any JobConsumer, jobs: inout DiscardingTaskGroup) async {
        while !stopping {
            if gate.downReason != nil {
                let gate = self.gate
                await withGracefulShutdownHandler {
                    await withTaskCancellationHandler {
                        await gate.waitUntilUp()
                    } onCancel: {
                        gate.wakeAll()
                    }
                } onGracefulShutdown: {
                    gate.wakeAll()
                }
                continue
            }
            let room = await window.acquire(upTo: configuration.claimBatch)
            guard room > 0 else { continue }
            if stopping {
                window.release(room)
                break
            }
            var claimed: [ClaimedJob]
            do {
                claimed = try await consumer.claim(maxJobs: room, wait: configuration.claimWait)
            } catch {
                window.release(room)
                logger.error("claim from \(configuration.queue) failed: \(error)")
                try? await Task.sleep(for: .milliseconds(250))
                continue
            }
            window.release(room - claimed.count)
            if let reason = gate.downReason, !claimed.isEmpty {
                // A claim that was waiting when the server went down (it can take the very job
                // just given back): back unspent, to run once the server answers again.
                for job in claimed {
                    let failure = JobFailure(
                        code: "llm_server_unavailable", message: "given back as claimed: \(reason)", disposition: .release)
                    await runtime.fail(job, failure, started: false)
                    window.release()
                }
                continue
            }
            // Interactive requests first when a claim brings both.
            claimed.sort { configuration.interactiveKinds.contains($0.kind) && !configuration.interactiveKinds.contains($1.kind) }
            for job in claimed {
                jobs.addTask {
                    await execute(job)
                    window.release()
                }
            }
        }
    }

    /// Reads the server's load every `metricsInterval` and steers the window with it; without
    /// metrics the window runs on latency (and `/metrics` is retried now and then).
    private func watchLoad() async {
        var lastMode: Bool?
        var missing = 0
        while !Task.isCancelled {
            var load: ServerLoad?
            if configuration.useMetrics && (missing < 3 || missing % 40 == 0) {
                if let response = try? await client.get("/metrics", timeout: .seconds(2)), response.isSuccess {
                    load = ServerLoad.parse(response.text)
                }
            }
            if let load {
                missing = 0
                let change = window.observe(load)
                if change != .held { dispatcher.observer?(.window(limit: window.limit, load: load)) }
            } else {
                missing += 1
                window.noMetrics()
            }
            let metrics = load != nil
            if lastMode != metrics && (metrics || missing >= 3 || !configuration.useMetrics) {
                lastMode = metrics
                dispatcher.observer?(.mode(metrics: metrics))
                logger.info("LLM dispatcher window runs on \(metrics ? "the server's queue metrics" : "latency")")
            }
            try? await Task.sleep(for: configuration.metricsInterval)
        }
    }

    /// While the server is marked down, probes `/health` with backoff and reopens the gate
    /// when it answers 200.
    private func probeWhileDown() async {
        var attempt = 0
        while !Task.isCancelled {
            guard gate.downReason != nil else {
                attempt = 0
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            attempt += 1
            try? await Task.sleep(
                for: configuration.probeBackoff.delay(afterAttempt: attempt, retryAfter: nil, unit: Double.random(in: 0..<1)))
            if let response = try? await client.get("/health", timeout: .seconds(5)), response.status == 200 {
                if gate.markUp() {
                    logger.info("LLM server \(configuration.serverURL) answers again")
                    dispatcher.observer?(.serverUp)
                }
            }
        }
    }

    func markDown(_ reason: String) {
        if gate.markDown(reason) {
            logger.warning("LLM server \(configuration.serverURL) is not answering: \(reason); claiming stops")
            dispatcher.activity(.backendUnresponsive(reason: reason))
            dispatcher.observer?(.serverDown(reason: reason))
        }
    }
}
