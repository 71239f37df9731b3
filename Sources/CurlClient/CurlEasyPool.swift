import CCurl
import NIOPosix
import Synchronization

/// One transfer a `CurlEasyPool` can run: it performs on a borrowed easy handle and can be
/// aborted from any thread.
protocol CurlPoolTransfer: AnyObject, Sendable {
    associatedtype Output: Sendable
    func perform(handle: UnsafeMutableRawPointer) -> Result<Output, CurlClientError>
    func abort()
}

/// The threads and easy handles behind `CurlHTTPClient` and `CurlRangeFetcher`.
///
/// `curl_easy_perform` blocks, so every transfer runs on a thread of the pool's own
/// `NIOThreadPool`, never on Swift's cooperative pool; at most `threads` run at once, later
/// ones wait. Easy handles are kept between transfers so their connections are reused.
final class CurlEasyPool: Sendable {
    private struct State: ~Copyable {
        var open = true
        var nextID = 0
        var active: [Int: any CurlPoolTransfer] = [:]
        var idleHandles: [Handle] = []
    }

    /// An easy handle between transfers; used by one thread at a time.
    private struct Handle: @unchecked Sendable {
        let raw: UnsafeMutableRawPointer
    }

    private let threads: NIOThreadPool
    private let maxIdleHandles: Int
    /// What a transfer fails with once the pool is shut down, naming its owner.
    private let closedMessage: String
    private let state = Mutex(State())

    init(threads count: Int, closedMessage: String) {
        _ = curlGlobalInit
        threads = NIOThreadPool(numberOfThreads: max(1, count))
        maxIdleHandles = max(1, count)
        self.closedMessage = closedMessage
        threads.start()
    }

    deinit {
        // Dropped without `shutdown()`: stop the threads anyway, without waiting here.
        let (wasOpen, running, handles) = state.withLock { state -> (Bool, [any CurlPoolTransfer], [Handle]) in
            defer {
                state.open = false
                state.idleHandles = []
            }
            return (state.open, Array(state.active.values), state.idleHandles)
        }
        guard wasOpen else { return }
        for transfer in running { transfer.abort() }
        threads.shutdownGracefully { _ in
            for handle in handles { curl_easy_cleanup(handle.raw) }
        }
    }

    /// Aborts running transfers, fails queued ones with `cancelled`, and stops the threads.
    func shutdown() async throws {
        let running = state.withLock { state -> [any CurlPoolTransfer] in
            state.open = false
            return Array(state.active.values)
        }
        for transfer in running { transfer.abort() }
        try await threads.shutdownGracefully()
        let handles = state.withLock { state -> [Handle] in
            defer { state.idleHandles = [] }
            return state.idleHandles
        }
        for handle in handles { curl_easy_cleanup(handle.raw) }
    }

    /// Runs `transfer` and waits for its end; cancelling the task aborts it.
    func run<T: CurlPoolTransfer>(_ transfer: T) async throws -> T.Output {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                start(transfer) { continuation.resume(with: $0) }
            }
        } onCancel: {
            transfer.abort()
        }
    }

    /// Queues `transfer`; `completion` runs on the pool thread when it ends.
    func start<T: CurlPoolTransfer>(_ transfer: T, completion: @escaping @Sendable (Result<T.Output, CurlClientError>) -> Void) {
        let id = state.withLock { state -> Int? in
            guard state.open else { return nil }
            state.nextID += 1
            state.active[state.nextID] = transfer
            return state.nextID
        }
        guard let id else {
            completion(.failure(CurlClientError(.cancelled, closedMessage)))
            return
        }
        threads.submit { [self] workState in
            let result: Result<T.Output, CurlClientError>
            if case .cancelled = workState {
                result = .failure(CurlClientError(.cancelled, closedMessage))
            } else {
                result = perform(transfer)
            }
            state.withLock { _ = $0.active.removeValue(forKey: id) }
            completion(result)
        }
    }

    /// On a pool thread: borrows an easy handle, runs the transfer, gives the handle back.
    private func perform<T: CurlPoolTransfer>(_ transfer: T) -> Result<T.Output, CurlClientError> {
        let reused = state.withLock { $0.idleHandles.popLast() }
        guard let raw = reused?.raw ?? curl_easy_init() else {
            return .failure(CurlClientError(.internalError, "curl_easy_init failed"))
        }
        let result = transfer.perform(handle: raw)
        // Reset clears the options but keeps the connection cache and DNS cache of the handle.
        curl_easy_reset(raw)
        let kept = state.withLock { state -> Bool in
            guard state.open, state.idleHandles.count < maxIdleHandles else { return false }
            state.idleHandles.append(Handle(raw: raw))
            return true
        }
        if !kept { curl_easy_cleanup(raw) }
        return result
    }
}

/// libcurl's global initialization, once per process, before the first handle.
private let curlGlobalInit: Int = Int(velocity_curl_global_init_all().rawValue)
