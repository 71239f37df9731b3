import Broker

extension DispatchRun {
    /// Runs one job: its request at the server, raced against a cancel, then its outcome.
    func execute(_ job: ClaimedJob) async {
        await runtime.execute(
            job, stopping: "the LLM dispatcher stopped before the request finished", classify: classify
        ) { _ in try await request(job) }
    }

    /// The completion's JSON for `job`, or an error to classify.
    private func request(_ job: ClaimedJob) async throws -> String {
        let body = try LLMJobRequest.body(for: job, model: configuration.model)
        let window = self.window
        let response = try await client.chatCompletion(body) { event in
            if case .retrying(let error, _, _) = event, error.isOverload { _ = window.observeOverload() }
        }
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

    /// The dispatcher's reading of the server's errors (the runtime maps the rest); a server
    /// that is down marks it down and gives the job back.
    func classify(_ error: any Error) -> JobFailure? {
        guard let error = error as? OpenAIClientError else { return nil }
        if error.isOverload { _ = window.observeOverload() }
        switch error.kind {
        case .invalidRequest, .unauthorized, .rejected, .contextLengthExceeded:
            return JobFailure(code: error.code, message: error.message, retriable: false)
        case .notFound:
            return JobFailure(code: "model_not_found", message: error.message, retriable: false)
        case .connection, .unavailable, .loading:
            // The server is down or not ready (llama.cpp still loading its model): not the job's
            // fault. Its attempt is given back and nothing more is claimed until `/health` answers.
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
