import Foundation
import Synchronization
import Hummingbird
public import Logging
import NIOCore
public import ServiceLifecycle

/// A stand-in for an OpenAI-compatible LLM server — SGLang, vLLM or llama.cpp's
/// `llama-server`, as its `flavor` says — with a capacity model, so dispatchers can be
/// developed, tested and benchmarked without a GPU.
///
/// `POST /v1/chat/completions` (streaming and not), `GET /v1/models`, `/health` and `/metrics`
/// answer as the flavor's server does (SGLang adds `/health_generate`, `/get_server_info` and
/// `/get_model_info`; llama.cpp `/models` and `/v1/health`), including what it does while the
/// model loads. Requests hold one of `slots` decode slots for the prefill time plus one decode
/// step per token; past `slots` they wait in a FIFO queue that `/metrics` shows. Answers are
/// deterministic word sequences seeded by the prompt (`EmulatedText`), or, for a
/// `response_format`, JSON made from the schema and broken at the configured rates
/// (`StructuredAnswer`).
///
/// Test-only routes, outside the OpenAI namespace: `POST /emulator/faults` queues failures for
/// the next requests (`{"status": 429, "count": 2, "retry_after": 1}`, `{"delay_ms": 500}`,
/// `{"drop": true}`), `DELETE /emulator/faults` clears them, `POST /emulator/loaded` ends the
/// model load at once, `GET /emulator/capacity?max_tokens=N`
/// states the theoretical ceiling, `GET /emulator/stats` the work done.
public final class OpenAIEmulator: Service, Sendable {
    public let configuration: OpenAIEmulatorConfiguration
    let host: String
    let requestedPort: Int
    let logger: Logger
    let slots: DecodeSlots
    let faults = FaultPlan()
    let started = ContinuousClock.now
    /// When the model counts as loaded: `startupMilliseconds` after start, or earlier when a
    /// test ends the load (`finishLoading()`).
    private let loadedAt: Mutex<ContinuousClock.Instant>
    private let boundPort = PortBox()

    public init(
        configuration: OpenAIEmulatorConfiguration, host: String = "127.0.0.1", port: Int = 0,
        logger: Logger = Logger(label: "velocity.emulator.openai")
    ) {
        self.configuration = configuration
        self.host = host
        self.requestedPort = port
        self.logger = logger
        self.slots = DecodeSlots(count: configuration.slots)
        self.loadedAt = Mutex(started + .milliseconds(configuration.startupMilliseconds))
    }

    /// Ends the model load now, so a test decides when the server becomes ready instead of
    /// racing a clock (also `POST /emulator/loaded`). vLLM's load, before it listens, runs its
    /// full time.
    public func finishLoading() {
        loadedAt.withLock { $0 = min($0, .now) }
    }

    /// The port the server listens on, once it does (useful with port 0).
    public var port: Int? { boundPort.value }

    /// The base URL clients use (`http://127.0.0.1:<port>`), once listening.
    public var baseURL: String? { port.map { "http://\(host):\($0)" } }

    /// Serves until cancelled or shut down gracefully.
    public func run() async throws {
        if configuration.flavor == .vllm && configuration.startupMilliseconds > 0 {
            // vLLM binds its port while the engine loads but listens only once it is up:
            // until then a client's connection is refused (entrypoints/openai/api_server.py,
            // `setup_server` then `serve_http`).
            do {
                try await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: .milliseconds(self.configuration.startupMilliseconds))
                }
            } catch {
                return
            }
        }
        try await makeApplication().run()
    }

    /// Waits until the server listens and returns its port.
    public func waitUntilListening() async -> Int {
        await boundPort.wait()
    }

    /// Runs an emulator on a free loopback port for the duration of `body` (quietly: tests).
    public static func withRunning<T: Sendable>(
        _ configuration: OpenAIEmulatorConfiguration, _ body: @Sendable (OpenAIEmulator, String) async throws -> T
    ) async throws -> T {
        // Cancelling the server at the end makes Hummingbird log its child channels' cancellation
        // as errors: noise in a test's output.
        var logger = Logger(label: "velocity.emulator.openai")
        logger.logLevel = .critical
        let emulator = OpenAIEmulator(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await emulator.run() }
            let port = await emulator.waitUntilListening()
            defer { group.cancelAll() }
            return try await body(emulator, "http://127.0.0.1:\(port)")
        }
    }

    func makeApplication() -> some ApplicationProtocol {
        let router = Router()
        if configuration.flavor == .llamacpp { router.add(middleware: LoadingGate(emulator: self)) }
        addRoutes(to: router)
        let box = boundPort
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: requestedPort), serverName: "emulator"),
            onServerRunning: { channel in box.set(channel.localAddress?.port ?? 0) }, logger: logger)
    }

    func addRoutes(to router: Router<BasicRequestContext>) {
        router.post("/v1/chat/completions") { request, _ in try await self.chatCompletions(request) }
        router.get("/v1/models") { _, _ in self.models() }
        router.get("/health") { _, _ in self.health() }
        router.get("/metrics") { _, _ in self.metrics() }
        switch configuration.flavor {
        case .sglang:
            router.get("/health_generate") { _, _ in try await self.healthGenerate() }
            router.get("/get_server_info") { _, _ in self.serverInfo() }
            router.get("/get_model_info") { _, _ in self.modelInfo() }
        case .llamacpp:
            router.get("/models") { _, _ in self.models() }
            router.get("/v1/health") { _, _ in self.health() }
        case .vllm:
            break
        }
        router.post("/emulator/faults") { request, _ in try await self.addFaults(request) }
        router.delete("/emulator/faults") { _, _ in
            self.faults.clear()
            return Response(status: .noContent)
        }
        router.post("/emulator/loaded") { _, _ in
            self.finishLoading()
            return Response(status: .noContent)
        }
        router.get("/emulator/capacity") { request, _ in self.capacity(request) }
        router.get("/emulator/stats") { _, _ in self.stats() }
    }

    /// True until `startupMilliseconds` have passed since the emulator was made (vLLM is never
    /// seen starting: it does not listen until it is up).
    var isStarting: Bool {
        configuration.flavor != .vllm && ContinuousClock.now < loadedAt.withLock { $0 }
    }
}

/// The bound port, set once by the server and awaited by whoever started it.
final class PortBox: Sendable {
    private struct State {
        var port: Int?
        var waiters: [CheckedContinuation<Int, Never>] = []
    }
    private let state = Mutex(State())

    var value: Int? { state.withLock { $0.port } }

    func set(_ port: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, Never>] in
            state.port = port
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    func wait() async -> Int {
        await withCheckedContinuation { continuation in
            let port = state.withLock { state -> Int? in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let port { continuation.resume(returning: port) }
        }
    }
}
