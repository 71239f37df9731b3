public import Broker
import CurlClient
public import Logging
public import ServiceLifecycle

/// Feeds an OpenAI-compatible LLM server (SGLang, vLLM, llama.cpp) from the `llm` queue:
/// claims `llm.chat` and `llm.batch` jobs and keeps as many requests in flight as keeps the
/// server's continuous batching full without a long queue, adapting that number with an AIMD
/// window (`AIMDWindow`) driven by the server's `/metrics` or, without them, by latency.
///
/// - Interactive chats go first: the broker ranks `llm.chat` above `llm.batch` (kind default
///   priorities), so whenever a place frees, a waiting chat is the next job claimed; chats in
///   one claim are sent before batch lines; and because the window targets a short server
///   queue, a chat waits behind a few requests, not behind the batch.
/// - Heartbeats extend the leases of running jobs and carry cancels: a canceled job's request
///   is aborted and the job ends `canceled`.
/// - Graceful shutdown stops claiming and lets running requests finish; cancelling the task
///   aborts them and releases their jobs without spending an attempt.
/// - A server that stops answering is not a reason to fail jobs: their attempts are given
///   back, claiming stops, `/health` is probed with backoff until it answers again, and the
///   activity sink hears `backendUnresponsive`.
public struct LLMDispatcher: Service {
    public struct Configuration: Sendable {
        public var queue: String
        public var workerID: String
        /// The server's root URL, e.g. `http://127.0.0.1:30000`.
        public var serverURL: String
        public var apiKey: String?
        public var model: LLMModelPolicy
        public var window: AIMDWindow.Configuration
        /// How often `/metrics` is read.
        public var metricsInterval: Duration
        /// Read `/metrics` at all; off forces latency mode.
        public var useMetrics: Bool
        /// One request's attempts at the server before the job is given back or failed.
        public var retry: RequestRetryPolicy
        public var requestTimeout: Duration
        /// Most jobs claimed in one round trip.
        public var claimBatch: Int
        public var claimWait: Duration
        /// Kinds sent ahead of the others when claimed together.
        public var interactiveKinds: Set<String>
        /// Largest result stored; a larger completion fails the job (the broker refuses it).
        public var maxResultBytes: Int
        /// Backoff of the `/health` probe while the server is down.
        public var probeBackoff: RequestRetryPolicy

        public init(
            queue: String = "llm", workerID: String, serverURL: String, apiKey: String? = nil, model: LLMModelPolicy,
            window: AIMDWindow.Configuration = AIMDWindow.Configuration(), metricsInterval: Duration = .milliseconds(250),
            useMetrics: Bool = true,
            retry: RequestRetryPolicy = RequestRetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(250), maxDelay: .seconds(4)),
            requestTimeout: Duration = .seconds(600), claimBatch: Int = 32, claimWait: Duration = .seconds(1),
            interactiveKinds: Set<String> = ["llm.chat"], maxResultBytes: Int = 64 * 1024,
            probeBackoff: RequestRetryPolicy = RequestRetryPolicy(maxAttempts: .max, baseDelay: .milliseconds(500), maxDelay: .seconds(10))
        ) {
            self.queue = queue
            self.workerID = workerID
            self.serverURL = serverURL
            self.apiKey = apiKey
            self.model = model
            self.window = window
            self.metricsInterval = metricsInterval
            self.useMetrics = useMetrics
            self.retry = retry
            self.requestTimeout = requestTimeout
            self.claimBatch = max(1, claimBatch)
            self.claimWait = claimWait
            self.interactiveKinds = interactiveKinds
            self.maxResultBytes = maxResultBytes
            self.probeBackoff = probeBackoff
        }
    }

    let configuration: Configuration
    let broker: any JobBroker
    let logger: Logger
    let activity: WorkerActivitySink
    let observer: (@Sendable (LLMDispatcherEvent) -> Void)?
    let routes: @Sendable (LLMCompletions) -> JobRouter

    /// - Parameters:
    ///   - activity: what the box agent hears: jobs started and finished, an unresponsive server.
    ///   - observer: window changes and mode, for benchmarks and tests.
    ///   - routes: the processors of the kinds it runs, given the way to the server;
    ///     `standardRoutes` (chats and batch lines) unless the host adds kinds with stores.
    public init(
        configuration: Configuration, broker: any JobBroker, logger: Logger,
        activity: @escaping WorkerActivitySink = { _ in }, observer: (@Sendable (LLMDispatcherEvent) -> Void)? = nil,
        routes: @escaping @Sendable (LLMCompletions) -> JobRouter = LLMDispatcher.standardRoutes
    ) {
        self.routes = routes
        self.configuration = configuration
        self.broker = broker
        self.logger = logger
        self.activity = activity
        self.observer = observer
    }

    public func run() async throws {
        var curl = CurlHTTPClient.Configuration()
        // One thread per request in flight, plus the metrics reader and the health probe.
        curl.maxConcurrentTransfers = configuration.window.ceiling + 4
        curl.timeoutMilliseconds = Int(configuration.requestTimeout / .milliseconds(1))
        curl.connectTimeoutMilliseconds = 5_000
        let http = CurlHTTPClient(configuration: curl)
        let client = OpenAIClient(
            http: http,
            configuration: .init(
                baseURL: configuration.serverURL, apiKey: configuration.apiKey,
                requestTimeout: configuration.requestTimeout, retry: configuration.retry))
        let consumer: any JobConsumer
        do {
            consumer = try await broker.makeConsumer(queue: configuration.queue, workerID: configuration.workerID)
        } catch {
            try? await http.shutdown()
            throw error
        }
        let window = InFlightWindow(AIMDWindow(configuration.window))
        let observer = self.observer
        let completions = LLMCompletions(
            client: client, window: window, model: configuration.model, maxResultBytes: configuration.maxResultBytes,
            windowMoved: { limit in observer?(.window(limit: limit, load: nil)) })
        let run = DispatchRun(
            dispatcher: self, client: client, window: window, gate: ServerGate(),
            runtime: WorkerRuntime(
                broker: broker, workerID: configuration.workerID, logger: logger, activity: activity,
                cancelQueue: configuration.queue),
            router: routes(completions))
        await run.run(consumer: consumer)
        await consumer.close()
        try? await http.shutdown()
    }
}

extension LLMDispatcher {
    /// Chats and batch lines: the kinds that need nothing but the server.
    @Sendable public static func standardRoutes(_ completions: LLMCompletions) -> JobRouter {
        var router = JobRouter()
        router.register(LLMChatProcessor(completions: completions))
        router.register(LLMBatchLineProcessor(completions: completions))
        return router
    }
}

/// What the dispatcher's control loop does, for benchmarks, tests and logs.
public enum LLMDispatcherEvent: Sendable, Equatable {
    /// The window moved: its new limit, and what the server reported if that caused it.
    case window(limit: Int, load: ServerLoad?)
    /// Metrics are (or are not) readable: the mode the window runs in.
    case mode(metrics: Bool)
    case serverDown(reason: String)
    case serverUp
}
