import Broker

extension MediaWorker {
    /// Renders a prepared job: queues its prompt, follows it to its end, and handles cancel,
    /// stop and backend failure. Returns the rendered job for `finish`, or nil when the job
    /// was settled here.
    func render(_ job: MediaJob, hub: ComfyUIEventHub) async -> RenderedJob? {
        runtime.activity(.jobStarted(jobID: job.id))
        if job.context.isCancelRequested {
            await settle(job, canceled())
            return nil
        }
        let mailbox = hub.subscribe()
        defer { hub.unsubscribe(mailbox) }
        var promptID = job.id
        var queuedInComfyUI = false
        do {
            if job.claimed.attempt > 1 {
                // An earlier attempt on this ComfyUI may have left an entry under this id; a
                // 409 must adopt only a prompt still queued or running, never an old end.
                try await comfyUI.deleteHistory([job.id])
            }
            let prompt = job.workflow.prompt(
                for: job.payload, image: job.input, seed: DreamWeaverWorkflow.seed(for: job.payload, jobID: job.id),
                filenamePrefix: configuration.outputPrefix + job.id)
            let connected = hub.isConnected
            let queued = try await comfyUI.queuePrompt(prompt, promptID: job.id)
            promptID = queued.promptID
            queuedInComfyUI = true
            let entry = try await followOrCancel(job, promptID: promptID, mailbox: mailbox, connected: connected)
            if Task.isCancelled { throw CancellationError() }
            guard let entry else {
                await stopPrompt(promptID)
                await settle(job, canceled())
                return nil
            }
            switch entry.end {
            case .succeeded:
                return RenderedJob(job: job, promptID: promptID, entry: entry)
            case .failed(let failure):
                // Retriable (out of memory, a CUDA fault) or final (the input, a validation, a
                // missing node or model), by ComfyUIFailureRule's table.
                await settle(job, failure.jobFailure)
            case .interrupted(let node):
                let failure =
                    job.context.isCancelRequested
                    ? canceled()
                    : JobFailure(
                        code: VelocityErrorCode.comfyUIInterrupted.rawValue,
                        message: "interrupted in ComfyUI at node \(node ?? "?") by someone else", disposition: .retry,
                        delayMilliseconds: configuration.interruptedRetryDelayMilliseconds)
                await settle(job, failure)
            }
            try? await comfyUI.deleteHistory([promptID])
            return nil
        } catch {
            await renderFailed(job, promptID: promptID, queued: queuedInComfyUI, error: error)
            return nil
        }
    }

    /// Follows the prompt, racing a cancel request: nil when the job was canceled.
    private func followOrCancel(
        _ job: MediaJob, promptID: String, mailbox: ComfyUIEventMailbox, connected: Bool
    ) async throws -> ComfyUIHistoryEntry? {
        let tracker = ComfyUIPromptTracker(
            client: comfyUI, timing: configuration.completion, progressInterval: configuration.progressInterval)
        let queuedAt = ContinuousClock.now
        return try await withThrowingTaskGroup(of: ComfyUIHistoryEntry?.self) { group in
            group.addTask {
                try await tracker.follow(promptID: promptID, queuedAt: queuedAt, mailbox: mailbox, connected: connected) {
                    fraction in await reportProgress(job, fraction: fraction)
                }
            }
            group.addTask {
                await job.context.waitForCancel()
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private func reportProgress(_ job: MediaJob, fraction: Double) async {
        pace.progress(fraction)
        activity(.jobProgress(jobID: job.id, fraction: fraction))
        do {
            try await job.context.progress(fraction, message: "rendering")
        } catch let error as BrokerError where error.code == .staleAttempt || error.code == .jobNotFound {
            job.context.requestCancel()
        } catch {
            logger.debug("progress of job \(job.id) not recorded: \(error)")
        }
    }

    private func renderFailed(_ job: MediaJob, promptID: String, queued: Bool, error: any Error) async {
        if Task.isCancelled || error is CancellationError {
            if queued, let crash = await crashFailure() {
                await settle(job, crash)
                return
            }
            // Past the drain deadline: stop the prompt (so the next worker finds the GPU free)
            // and give the job back unspent.
            await stopPrompt(promptID)
            await settle(
                job, JobFailure(code: "worker_stopped", message: "the worker stopped during the render", disposition: .release))
            return
        }
        guard let error = error as? ComfyUIError else {
            await settle(job, JobFailure(error))
            return
        }
        if error.isBackendFailure {
            if queued, let crash = await crashFailure() {
                await settle(job, crash)
                return
            }
            backendFailed(error.message)
            // A prompt that never reached ComfyUI cost nothing: give it back unspent. One that
            // did counts as an attempt, so a job that crashes every backend ends dead.
            let failure =
                queued
                ? JobFailure(
                    code: error.code.rawValue, message: error.message, disposition: .retry,
                    delayMilliseconds: configuration.backendFailureRetryDelayMilliseconds)
                : JobFailure(code: error.code.rawValue, message: error.message, disposition: .release)
            await settle(job, failure)
            // After the job is on its way to another GPU: a hung server may still take an
            // interrupt. No waiting for it: the worker claims again only once the server is idle.
            if queued { await stopPrompt(promptID, confirm: false) }
            return
        }
        if error.httpStatus == 200 {
            // node_errors on a 200: ComfyUI queued the valid outputs; the client took them back,
            // wait until they are gone and drop whatever history they left.
            await stopPrompt(promptID)
        }
        await settle(job, JobFailure(error))
    }

    /// Takes the prompt out of ComfyUI: dropped if still queued, interrupted if running. With
    /// `confirm`, waits (a bounded time) until ComfyUI no longer runs it, so the GPU is free
    /// for the next render.
    func stopPrompt(_ promptID: String, confirm: Bool = true) async {
        let client = comfyUI
        let limit = confirm ? configuration.interruptConfirmation : .zero
        // Runs even when the worker's task is cancelled: that is when a prompt must be stopped.
        await Task {
            try? await client.deleteFromQueue([promptID])
            try? await client.interrupt(promptID: promptID)
            let deadline = ContinuousClock.now + limit
            while ContinuousClock.now < deadline {
                // A server that does not answer runs nothing of ours either.
                guard let queue = try? await client.queue(), queue.contains(promptID) else { break }
                try? await Task.sleep(for: .milliseconds(50))
            }
            try? await client.deleteHistory([promptID])
        }.value
    }

    /// The failure of a job whose prompt was in ComfyUI when the backend process died, or nil
    /// when it did not die (a drain, a hung server).
    private func crashFailure() async -> JobFailure? {
        guard let lifeline = configuration.lifeline,
            let status = await lifeline.exitStatus(within: configuration.crashConfirmation)
        else { return nil }
        return JobFailure(
            code: VelocityErrorCode.backendCrash.rawValue,
            message: "ComfyUI at \(comfyUI.baseURL) (\(lifeline.faultDomain)) exited with status \(status) during the render",
            disposition: .retry, delayMilliseconds: configuration.backendFailureRetryDelayMilliseconds,
            faultDomain: lifeline.faultDomain)
    }

    func settle(_ job: MediaJob, _ failure: JobFailure) async {
        await runtime.fail(job.claimed, failure)
    }

    func canceled() -> JobFailure { .canceled }
}
