public import Broker

extension WorkerRuntime {
    /// What the broker should do with an attempt that ended with `error`: the one mapping of
    /// every worker.
    ///
    /// In order: a cancel request makes it `canceled`; the worker stopping (task cancelled)
    /// gives the attempt back unspent; then the worker's own `classify`; then a
    /// `RetriableError` (a `JobError`, a `ComfyUIError`) keeps its code and retriability; any
    /// other `VelocityError` keeps its code and is retried; anything else is a retriable
    /// `handler_error`.
    public static func failure(
        for error: any Error, context: JobContext, stopping: String = "the worker stopped before the job finished",
        classify: (any Error) -> JobFailure? = { _ in nil }
    ) -> JobFailure {
        if context.isCancelRequested { return .canceled }
        if error is CancellationError || Task.isCancelled {
            return JobFailure(code: VelocityErrorCode.workerStopped.rawValue, message: stopping, disposition: .release)
        }
        if let failure = classify(error) { return failure }
        return JobFailure(error)
    }
}

extension JobFailure {
    /// A canceled job's end.
    public static let canceled = JobFailure(
        code: VelocityErrorCode.canceled.rawValue, message: "canceled while running", retriable: false,
        disposition: .canceled)

    /// The failure an error stands for, by its code and retriability; a handler that finds its
    /// job canceled elsewhere (a synthetic job canceled whole) ends it `canceled` with `.canceled`.
    public init(_ error: any Error) {
        switch error {
        case let error as any VelocityError where error.code == .canceled:
            self.init(code: error.code.rawValue, message: error.message, retriable: false, disposition: .canceled)
        case let error as any RetriableError:
            self.init(code: error.code.rawValue, message: error.message, retriable: error.retriable)
        case let error as any VelocityError:
            self.init(code: error.code.rawValue, message: error.message, retriable: true)
        default:
            self.init(code: VelocityErrorCode.handlerError.rawValue, message: String(describing: error), retriable: true)
        }
    }
}

extension WorkerJobOutcome {
    /// How a job that failed with `failure` left the worker.
    public init(_ failure: JobFailure) {
        switch failure.disposition {
        case .canceled: self = .canceled
        case .release: self = .released
        case .error, .retry: self = .failed(code: failure.code)
        }
    }
}
