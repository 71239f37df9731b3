import Broker

extension DispatchRun {
    /// Runs one job: its request at the server, raced against a cancel, then its outcome.
    func execute(_ job: ClaimedJob) async {
        let context = JobContext(lease: job.lease, broker: dispatcher.broker)
        running.insert(context, leaseMilliseconds: job.leaseMilliseconds)
        defer { running.remove(job.id) }
        dispatcher.activity(.jobStarted(jobID: job.id))
        let outcome: WorkerJobOutcome
        do {
            let result = try await request(job, context: context)
            completions.append(JobCompletion(lease: job.lease, result: result))
            outcome = .succeeded
        } catch {
            let failure = failure(for: error, context: context)
            do {
                let state = try await dispatcher.broker.fail(job.lease, failure)
                logger.info(
                    "job \(job.id) \(failure.code): \(failure.message) → \(state.rawValue)",
                    metadata: ["queue": .string(job.lease.queue), "kind": .string(job.kind)])
            } catch {
                logger.warning("could not record the failure of job \(job.id): \(error)")
            }
            switch failure.disposition {
            case .canceled: outcome = .canceled
            case .release: outcome = .released
            case .retry, .error: outcome = .failed(code: failure.code)
            }
        }
        dispatcher.activity(.jobFinished(jobID: job.id, outcome: outcome))
    }

    /// The completion's JSON for `job`, or an error to classify.
    private func request(_ job: ClaimedJob, context: JobContext) async throws -> String {
        let body = try LLMJobRequest.body(for: job, model: configuration.model)
        let window = self.window
        let response = try await withThrowingTaskGroup(of: ChatCompletionResponse?.self) { group in
            group.addTask {
                try await client.chatCompletion(body) { event in
                    if case .retrying(let error, _, _) = event, error.isOverload { _ = window.observeOverload() }
                }
            }
            group.addTask {
                await context.waitForCancel()
                throw CancellationError()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
        guard let response else { throw CancellationError() }
        let tokens = max(1, response.completion.usage?.completion_tokens ?? 1)
        let change = window.observeLatency(secondsPerToken: response.latency / .seconds(1) / Double(tokens))
        if change != .held { dispatcher.observer?(.window(limit: window.limit, load: nil)) }
        guard response.body.utf8.count <= configuration.maxResultBytes else {
            throw JobError(
                code: "result_too_large",
                message: "the completion is \(response.body.utf8.count) bytes; results are limited to \(configuration.maxResultBytes)",
                retriable: false)
        }
        return response.body
    }

    /// What the broker should do with a job whose request failed with `error`.
    func failure(for error: any Error, context: JobContext) -> JobFailure {
        if context.isCancelRequested {
            return JobFailure(code: "canceled", message: "canceled while running", retriable: false, disposition: .canceled)
        }
        if error is CancellationError {
            return JobFailure(
                code: "worker_stopped", message: "the LLM dispatcher stopped before the request finished",
                disposition: .release)
        }
        if let error = error as? JobError {
            return JobFailure(code: error.code, message: error.message, retriable: error.retriable)
        }
        guard let error = error as? OpenAIClientError else {
            return JobFailure(code: "handler_error", message: String(describing: error), retriable: true)
        }
        if error.isOverload { _ = window.observeOverload() }
        switch error.kind {
        case .invalidRequest, .unauthorized, .rejected:
            return JobFailure(code: error.kind.rawValue, message: error.message, retriable: false)
        case .notFound:
            return JobFailure(code: "model_not_found", message: error.message, retriable: false)
        case .connection, .unavailable:
            // The server is down or not ready: not the job's fault. Its attempt is given back
            // and nothing more is claimed until `/health` answers.
            markDown("\(error)")
            return JobFailure(
                code: "llm_server_unavailable", message: "\(error) after \(error.attempts) attempts",
                disposition: .release)
        case .rateLimited:
            return JobFailure(
                code: "llm_server_busy", message: "\(error) after \(error.attempts) attempts", disposition: .release)
        case .serverError, .timeout, .invalidResponse:
            return JobFailure(code: "llm_\(error.kind.rawValue)", message: error.message, retriable: true)
        }
    }
}
