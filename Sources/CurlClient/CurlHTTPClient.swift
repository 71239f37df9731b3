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

    public let configuration: Configuration
    private let easy: CurlEasyPool

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        easy = CurlEasyPool(threads: configuration.maxConcurrentTransfers, closedMessage: "the HTTP client is shut down")
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
        try await easy.shutdown()
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
        try await easy.run(transfer)
    }

    /// Queues `transfer` on the pool; `completion` runs on the pool thread when it ends.
    func start(
        _ transfer: CurlTransfer, completion: @escaping @Sendable (Result<HTTPClientResponse, CurlClientError>) -> Void
    ) {
        easy.start(transfer, completion: completion)
    }
}
