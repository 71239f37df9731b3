import Foundation
public import Logging
import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// A protocol-faithful stand-in for a ComfyUI 0.8.x server, so the project's ComfyUI client,
/// `velocity dev` and the end-to-end tests run without a GPU.
///
/// It answers ComfyUI's routes (each also under `/api/`) with the real shapes, status codes
/// and content types: `POST /prompt` with ComfyUI's validation and 400 error dicts,
/// `GET /prompt`, `GET|POST /queue`, `POST /interrupt`, `POST /free`, `GET|POST /history`,
/// `GET /history/{id}` (`{}` until done), `GET /view`, `POST /upload/image`,
/// `GET /system_stats`, `GET /object_info[/{class}]`, `GET /models[/{folder}]`,
/// `GET /features`, and the `/ws?clientId=` websocket with ComfyUI's message sequence.
///
/// It runs the nodes of `ComfyUINodeCatalog` one prompt at a time: the model-free image nodes
/// compute real pixels; the model nodes are stand-ins, and KSampler "renders" with the
/// documented transform of `ComfyUIRender`, taking `renderSeconds` split over its steps.
/// Outputs go to the configured output directory with ComfyUI's names (`prefix_00001_.png`).
///
/// Test-only routes, outside ComfyUI's namespace: `GET|POST|DELETE /emulator/faults`
/// (`ComfyUIFaults`).
///
/// Run it in a `ServiceGroup` (or `withRunning` in tests); with port 0 read the bound port
/// from `waitUntilListening()`.
public final class ComfyUIEmulator: Service, Sendable {
    public let configuration: ComfyUIEmulatorConfiguration
    let logger: Logger
    let folders: ComfyUIFolders
    let hub = ComfyUIMessageHub()
    let runtime: ComfyUIRuntime
    let queue: ComfyUIPromptQueue
    private let listening = ComfyUIListening()
    /// `PromptServer.number`: the next default `number`.
    let nextNumber = Mutex(0)

    public init(
        configuration: ComfyUIEmulatorConfiguration, logger: Logger = Logger(label: "velocity.emulator.comfyui")
    ) {
        self.configuration = configuration
        self.logger = logger
        self.folders = ComfyUIFolders(configuration: configuration)
        self.runtime = ComfyUIRuntime(faults: configuration.faults)
        let hub = hub
        self.queue = ComfyUIPromptQueue { remaining in
            hub.send("status", ["status": ["exec_info": ["queue_remaining": .int(remaining)]]], to: nil)
        }
        hub.isStalled = configuration.faults.websocketStall
    }

    /// The port the server listens on, once it does.
    public var port: Int? { listening.port }

    /// `http://<host>:<port>`, once listening.
    public var baseURL: String? { port.map { "http://\(configuration.host):\($0)" } }

    /// Waits until the server listens and returns its port; throws if it failed to start.
    public func waitUntilListening() async throws -> Int {
        try await listening.wait()
    }

    /// Prepares the folders (temp is wiped), then serves and runs prompts until cancelled or
    /// shut down gracefully. Throws `ComfyUIEmulatorCrashed` when the crash fault strikes.
    public func run() async throws {
        do {
            let folders = folders
            try await NIOThreadPool.singleton.runIfActive { try folders.prepare() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                let application = makeApplication()
                group.addTask { try await application.run() }
                group.addTask { try await cancelWhenGracefulShutdown { try await self.work() } }
                defer {
                    group.cancelAll()
                    hub.closeAll()
                    runtime.releaseAll()
                    queue.wake()
                }
                try await group.next()
            }
            listening.fail(CancellationError())
        } catch {
            listening.fail(error)
            throw error
        }
    }

    /// Runs an emulator on a free loopback port for the duration of `body`, which gets the
    /// emulator and its base URL.
    public static func withRunning<T: Sendable>(
        _ configuration: ComfyUIEmulatorConfiguration, logger: Logger = Logger(label: "velocity.emulator.comfyui"),
        _ body: @Sendable (ComfyUIEmulator, String) async throws -> T
    ) async throws -> T {
        var configuration = configuration
        configuration.port = 0
        let emulator = ComfyUIEmulator(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await emulator.run() }
            defer { group.cancelAll() }
            let port = try await emulator.waitUntilListening()
            return try await body(emulator, "http://\(configuration.host):\(port)")
        }
    }

    /// The current fault plan.
    public var faults: ComfyUIFaults { runtime.faults }

    /// Model loads and render time so far.
    public var statistics: ComfyUIEmulatorStatistics { runtime.statistics }

    /// Replaces the fault plan, as `POST /emulator/faults` does.
    public func setFaults(_ faults: ComfyUIFaults) {
        runtime.setFaults(faults)
        hub.isStalled = faults.websocketStall
        queue.wake()
    }

    /// The prompt worker: one prompt at a time, `/free` flags between prompts.
    private func work() async throws {
        let crashBehaviour = configuration.crashBehaviour
        let logger = logger
        let executor = ComfyUIExecutor(
            queue: queue, hub: hub, runtime: runtime, folders: folders, configuration: configuration,
            crash: {
                logger.critical("crash fault: the emulated ComfyUI dies mid-render")
                if case .exitProcess(let code) = crashBehaviour { _exit(code) }
            }, logger: logger)
        while !Task.isCancelled {
            await queue.waitForWork()
            while !Task.isCancelled, let (item, taskID) = queue.pop() {
                do {
                    try await executor.execute(item, taskID: taskID)
                } catch is ComfyUIEmulatorCrashed {
                    hub.closeAll()
                    throw ComfyUIEmulatorCrashed()
                }
                applyFlags(executor)
            }
            applyFlags(executor)
        }
    }

    /// main.py's flag handling after a prompt: `unload_models` (or `free_memory`) unloads the
    /// models, `free_memory` also drops the output cache.
    private func applyFlags(_ executor: ComfyUIExecutor) {
        let flags = queue.takeFlags()
        let freeMemory = flags["free_memory"]?.isTruthy ?? false
        if flags["unload_models"]?.isTruthy ?? freeMemory { runtime.unloadAllModels() }
        if freeMemory { executor.reset() }
    }

    func markListening(_ port: Int) {
        listening.set(port)
        logger.info("ComfyUI emulator listening", metadata: ["url": "http://\(configuration.host):\(port)"])
    }
}

/// The bound port, set once by the server and awaited by whoever started it.
final class ComfyUIListening: Sendable {
    private struct State {
        var result: Result<Int, any Error>?
        var waiters: [CheckedContinuation<Int, any Error>] = []
    }
    private let state = Mutex(State())

    var port: Int? { state.withLock { try? $0.result?.get() } }

    func set(_ port: Int) { finish(.success(port)) }

    func fail(_ error: any Error) { finish(.failure(error)) }

    private func finish(_ result: Result<Int, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let result = state.withLock { state -> Result<Int, any Error>? in
                if let result = state.result { return result }
                state.waiters.append(continuation)
                return nil
            }
            if let result { continuation.resume(with: result) }
        }
    }
}
