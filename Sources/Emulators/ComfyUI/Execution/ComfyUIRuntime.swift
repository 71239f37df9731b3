import Synchronization
import VelocityTypes

/// The emulator state shared by the routes and the prompt worker: ComfyUI's global interrupt
/// flag, the fault plan and its counters, a hung prompt, the models held in VRAM, the RAM the
/// growth fault says is lost, and what the emulated GPU did so far (`ComfyUIEmulatorStatistics`).
final class ComfyUIRuntime: Sendable {
    private struct State {
        var interrupted = false
        var faults: ComfyUIFaults
        /// Bumped by every new plan, so a strike decided under an old plan is dropped.
        var generation = 0
        var rendersSeen = 0
        var strikes = 0
        var hungPromptID: String?
        var released: [CheckedContinuation<Void, Never>] = []
        /// Least recently used first.
        var loadedModels: [String] = []
        var statistics = ComfyUIEmulatorStatistics()
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
            state.generation += 1
            state.rendersSeen = 0
            state.strikes = 0
            guard faults.mode != .hang else { return [] }
            state.hungPromptID = nil
            defer { state.released = [] }
            return state.released
        }
        for waiter in waiters { waiter.resume() }
    }

    /// A fault decided for one render, under the plan of `generation`.
    struct Strike: Sendable {
        var faults: ComfyUIFaults
        var generation: Int
    }

    /// Called as a sampler starts: the fault that strikes this render, if any. `texts` are
    /// its prompt's conditioning texts, for a poison plan.
    func strikeRender(texts: [String] = []) -> Strike? {
        state.withLock { state in
            let faults = state.faults
            if let poison = faults.poison, !texts.contains(where: { $0.contains(poison) }) { return nil }
            defer { state.rendersSeen += 1 }
            guard faults.mode != .none, state.rendersSeen >= faults.afterPrompts else { return nil }
            if let count = faults.count, state.strikes >= count { return nil }
            state.strikes += 1
            return Strike(faults: faults, generation: state.generation)
        }
    }

    /// Whether the plan a strike was decided under is still the plan (it was not cleared
    /// while the render ran towards the strike's step).
    func isCurrent(_ strike: Strike) -> Bool { state.withLock { $0.generation == strike.generation } }

    /// Blocks the render of `promptID` until the hang is released (or the task is cancelled);
    /// nothing if the plan changed since the strike was decided.
    func hang(promptID: String, strike: Strike) async {
        let hung = state.withLock { state -> Bool in
            guard state.generation == strike.generation else { return false }
            state.hungPromptID = promptID
            return true
        }
        if hung { await waitForRelease() }
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

    /// Marks `checkpoint` loaded and most recently used, evicting the least recently used past
    /// `capacity`; returns whether it had to be loaded.
    func load(_ checkpoint: String, capacity: Int) -> Bool {
        state.withLock { state in
            if let index = state.loadedModels.firstIndex(of: checkpoint) {
                state.loadedModels.remove(at: index)
                state.loadedModels.append(checkpoint)
                return false
            }
            state.loadedModels.append(checkpoint)
            if state.loadedModels.count > capacity { state.loadedModels.removeFirst(state.loadedModels.count - capacity) }
            state.statistics.modelLoads += 1
            return true
        }
    }

    func unloadAllModels() { state.withLock { $0.loadedModels = [] } }

    /// A checkpoint load took `seconds`.
    func loaded(seconds: Duration) {
        state.withLock { $0.statistics.modelLoadSeconds += seconds.inSeconds }
    }

    /// A render's sampling was drawn to take `seconds` and took `busy`.
    func rendered(seconds: Double, busy: Duration) {
        state.withLock { state in
            state.statistics.renders += 1
            state.statistics.renderSeconds += seconds
            state.statistics.busySeconds += busy.inSeconds
        }
    }

    var statistics: ComfyUIEmulatorStatistics {
        state.withLock { state in
            var statistics = state.statistics
            statistics.loadedModels = state.loadedModels
            return statistics
        }
    }

    var loadedModelCount: Int { state.withLock { $0.loadedModels.count } }

    /// A prompt ran to its history entry in `seconds`: counted, and RAM the growth fault says
    /// is lost.
    func promptRan(seconds: Duration) {
        state.withLock { state in
            state.statistics.prompts += 1
            state.statistics.promptSeconds += seconds.inSeconds
            state.statistics.lastPromptEnded = .now
            state.memoryLost += state.faults.memoryGrowthBytesPerPrompt
        }
    }

    var memoryLost: Int64 { state.withLock { $0.memoryLost } }
}
