import Broker

extension DispatchRun {
    /// Runs one job: its kind's processor, raced against a cancel, then its outcome.
    func execute(_ job: ClaimedJob) async {
        let router = self.router
        await runtime.execute(
            job, stopping: "the LLM dispatcher stopped before the request finished", classify: classify
        ) { context in try await router.handle(job, context: context) }
    }

    /// The dispatcher's reading of the server's errors (the runtime maps the rest); a server
    /// that is down marks it down and gives the job back.
    func classify(_ error: any Error) -> JobFailure? {
        guard let error = error as? OpenAIClientError else { return nil }
        guard var failure = failure(for: error) else { return nil }
        // The server's status and error object go with the failure: a batch line's error keeps
        // them (llama.cpp's 400 `exceed_context_size_error`, not just a message).
        if failure.disposition != .release, let answer = error.response?.jsonText, answer.utf8.count <= Self.maxResponseBytes {
            failure.response = answer
        }
        return failure
    }

    /// The largest server answer kept with a failure: well under the broker's result limit, so
    /// the failure itself is always recorded.
    static let maxResponseBytes = 32 * 1024

    private func failure(for error: OpenAIClientError) -> JobFailure? {
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
