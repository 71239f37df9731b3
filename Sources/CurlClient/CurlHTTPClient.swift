import CCurl
import NIOPosix
import Synchronization

/// An async HTTP client over libcurl.
///
/// `curl_easy_perform` blocks, so every transfer runs on a thread of the client's own
/// `NIOThreadPool`, never on Swift's cooperative pool; at most `maxConcurrentTransfers` run at
/// once, later ones wait for a thread. Easy handles are kept between transfers so their
/// connections are reused. Cancelling the calling task aborts its transfer.
///
/// Call `shutdown()` when done (or use `withClient`): it aborts what is still running and
/// stops the threads.
public final class CurlHTTPClient: Sendable {
    public struct Configuration: Sendable {
        public var connectTimeoutMilliseconds = 10_000
        /// The whole exchange; 0 means none (for long streams). Requests can override it.
        public var timeoutMilliseconds = 60_000
        /// Bodies larger than this fail with `response_too_large` (download-to-file included).
        public var maxResponseBytes = 64 << 20
        /// Threads, hence transfers that can run at once.
        public var maxConcurrentTransfers = 8
        public var followRedirects = false
        public var userAgent = "velocity-curl/1.0"
        /// Headers sent with every request unless the request names them itself.
        public var defaultHeaders: HTTPClientHeaders = [:]

        public init() {}
    }

    private struct State: ~Copyable {
        var open = true
        var nextID = 0
        var active: [Int: CurlTransfer] = [:]
        var idleHandles: [CurlHandle] = []
    }

    /// An easy handle between transfers; used by one thread at a time.
    private struct CurlHandle: @unchecked Sendable {
        let raw: UnsafeMutableRawPointer
    }

    public let configuration: Configuration
    private let pool: NIOThreadPool
    private let state = Mutex(State())

    public init(configuration: Configuration = Configuration()) {
        _ = curlGlobalInit
        self.configuration = configuration
        pool = NIOThreadPool(numberOfThreads: max(1, configuration.maxConcurrentTransfers))
        pool.start()
    }

    deinit {
        // A client dropped without `shutdown()`: stop its threads anyway, without waiting here.
        let (wasOpen, running, handles) = state.withLock { state -> (Bool, [CurlTransfer], [CurlHandle]) in
            defer {
                state.open = false
                state.idleHandles = []
            }
            return (state.open, Array(state.active.values), state.idleHandles)
        }
        guard wasOpen else { return }
        for transfer in running { transfer.abort() }
        pool.shutdownGracefully { _ in
            for handle in handles { curl_easy_cleanup(handle.raw) }
        }
    }

    /// Runs `body` with a new client and shuts the client down after it, however it ends.
    public static func withClient<T: Sendable>(
        configuration: Configuration = Configuration(), _ body: (CurlHTTPClient) async throws -> T
    ) async throws -> T {
        let client = CurlHTTPClient(configuration: configuration)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// Aborts running transfers, fails queued ones with `cancelled`, and stops the threads.
    public func shutdown() async throws {
        let running = state.withLock { state -> [CurlTransfer] in
            state.open = false
            return Array(state.active.values)
        }
        for transfer in running { transfer.abort() }
        try await pool.shutdownGracefully()
        let handles = state.withLock { state -> [CurlHandle] in
            defer { state.idleHandles = [] }
            return state.idleHandles
        }
        for handle in handles { curl_easy_cleanup(handle.raw) }
    }

    /// Sends `request` and collects the whole response. Statuses 4xx and 5xx are responses,
    /// not errors; errors are failed transfers (`CurlClientError`).
    public func execute(
        _ request: HTTPClientRequest, progress: (@Sendable (TransferProgress) -> Void)? = nil
    ) async throws -> HTTPClientResponse {
        let transfer = makeTransfer(request, sink: .memory, progress: progress)
        return try await run(transfer)
    }

    func makeTransfer(
        _ request: HTTPClientRequest, sink: CurlTransfer.Sink, progress: (@Sendable (TransferProgress) -> Void)? = nil,
        head: (@Sendable (HTTPClientResponseHead) -> Void)? = nil
    ) -> CurlTransfer {
        var request = request
        for field in configuration.defaultHeaders where !request.headers.contains(field.name) {
            request.headers.add(field.name, field.value)
        }
        let limits = CurlTransfer.Limits(
            connectTimeoutMilliseconds: request.connectTimeoutMilliseconds ?? configuration.connectTimeoutMilliseconds,
            timeoutMilliseconds: request.timeoutMilliseconds ?? configuration.timeoutMilliseconds,
            maxResponseBytes: request.maxResponseBytes ?? configuration.maxResponseBytes,
            followRedirects: configuration.followRedirects, userAgent: configuration.userAgent)
        return CurlTransfer(request: request, limits: limits, sink: sink, progress: progress, head: head)
    }

    /// Runs `transfer` on the pool and waits for its end; cancelling the task aborts it.
    func run(_ transfer: CurlTransfer) async throws -> HTTPClientResponse {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                start(transfer) { result in continuation.resume(with: result) }
            }
        } onCancel: {
            transfer.abort()
        }
    }

    /// Queues `transfer` on the pool; `completion` runs on the pool thread when it ends.
    func start(
        _ transfer: CurlTransfer, completion: @escaping @Sendable (Result<HTTPClientResponse, CurlClientError>) -> Void
    ) {
        let id = state.withLock { state -> Int? in
            guard state.open else { return nil }
            state.nextID += 1
            state.active[state.nextID] = transfer
            return state.nextID
        }
        guard let id else {
            completion(.failure(CurlClientError(.cancelled, "the HTTP client is shut down")))
            return
        }
        pool.submit { [self] workState in
            let result: Result<HTTPClientResponse, CurlClientError>
            if case .cancelled = workState {
                result = .failure(CurlClientError(.cancelled, "the HTTP client is shut down"))
            } else {
                result = perform(transfer)
            }
            state.withLock { _ = $0.active.removeValue(forKey: id) }
            completion(result)
        }
    }

    /// On a pool thread: borrows an easy handle, runs the transfer, gives the handle back.
    private func perform(_ transfer: CurlTransfer) -> Result<HTTPClientResponse, CurlClientError> {
        let reused = state.withLock { $0.idleHandles.popLast() }
        guard let raw = reused?.raw ?? curl_easy_init() else {
            return .failure(CurlClientError(.internalError, "curl_easy_init failed"))
        }
        let result = transfer.perform(handle: raw)
        // Reset clears the options but keeps the connection cache and DNS cache of the handle.
        curl_easy_reset(raw)
        let kept = state.withLock { state -> Bool in
            guard state.open, state.idleHandles.count < configuration.maxConcurrentTransfers else { return false }
            state.idleHandles.append(CurlHandle(raw: raw))
            return true
        }
        if !kept { curl_easy_cleanup(raw) }
        return result
    }
}

/// libcurl's global setup, once per process before any handle exists.
private let curlGlobalInit: Int = Int(velocity_curl_global_init_all().rawValue)
