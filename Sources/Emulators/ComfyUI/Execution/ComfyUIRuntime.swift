import Synchronization

/// The emulator state shared by the routes and the prompt worker: ComfyUI's global interrupt
/// flag, the fault plan and its counters, a hung prompt, the models held in VRAM and the
/// prompts run so far (for the RAM-growth fault).
final class ComfyUIRuntime: Sendable {
    private struct State {
        var interrupted = false
        var faults: ComfyUIFaults
        var rendersSeen = 0
        var strikes = 0
        var hungPromptID: String?
        var released: [CheckedContinuation<Void, Never>] = []
        var loadedModels: Set<String> = []
        var promptsRun = 0
        var memoryLost: Int64 = 0
    }

    private let state: Mutex<State>

    init(faults: ComfyUIFaults) {
        state = Mutex(State(faults: faults))
    }

    // MARK: interrupt

    /// `nodes.interrupt_processing()`.
    func interrupt() { state.withLock { $0.interrupted = true } }

    /// `nodes.interrupt_processing(False)`, at the start of every prompt.
    func clearInterrupt() { state.withLock { $0.interrupted = false } }

    var isInterrupted: Bool { state.withLock { $0.interrupted } }

    // MARK: faults

    var faults: ComfyUIFaults { state.withLock { $0.faults } }

    /// Replaces the plan (its counters restart) and releases a hang the new plan does not keep.
    func setFaults(_ faults: ComfyUIFaults) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.faults = faults
            state.rendersSeen = 0
            state.strikes = 0
            guard faults.mode != .hang else { return [] }
            state.hungPromptID = nil
            defer { state.released = [] }
            return state.released
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Called as a sampler starts: the fault that strikes this render, if any.
    func strikeRender() -> ComfyUIFaults? {
        state.withLock { state in
            let faults = state.faults
            defer { state.rendersSeen += 1 }
            guard faults.mode != .none, state.rendersSeen >= faults.afterPrompts else { return nil }
            if let count = faults.count, state.strikes >= count { return nil }
            state.strikes += 1
            return faults
        }
    }

    /// Blocks the render of `promptID` until the hang is released (or the task is cancelled).
    func hang(promptID: String) async {
        state.withLock { $0.hungPromptID = promptID }
        await waitForRelease()
    }

    /// The prompt whose render is hung now.
    var hungPromptID: String? { state.withLock { $0.hungPromptID } }

    /// Whether `/history/{promptID}` must stop answering.
    func isHung(_ promptID: String) -> Bool { state.withLock { $0.hungPromptID == promptID } }

    /// Waits while a hang lasts.
    func waitForRelease() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let free = state.withLock { state -> Bool in
                    guard state.hungPromptID != nil, !Task.isCancelled else { return true }
                    state.released.append(continuation)
                    return false
                }
                if free { continuation.resume() }
            }
        } onCancel: {
            releaseAll()
        }
    }

    /// Ends a hang (shutdown, cancellation).
    func releaseAll() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.hungPromptID = nil
            defer { state.released = [] }
            return state.released
        }
        for waiter in waiters { waiter.resume() }
    }

    // MARK: models and memory

    /// Marks `checkpoint` loaded; returns whether it had to be loaded.
    func load(_ checkpoint: String) -> Bool {
        state.withLock { $0.loadedModels.insert(checkpoint).inserted }
    }

    func unloadAllModels() { state.withLock { $0.loadedModels = [] } }

    var loadedModelCount: Int { state.withLock { $0.loadedModels.count } }

    /// A prompt finished: RAM the growth fault says is lost.
    func promptRan() {
        state.withLock { state in
            state.promptsRun += 1
            state.memoryLost += state.faults.memoryGrowthBytesPerPrompt
        }
    }

    var memoryLost: Int64 { state.withLock { $0.memoryLost } }
}
