import Synchronization

/// Counts bytes and files from many threads and passes a `HydrationProgress` on, at most
/// every 100 ms (and at once for phase changes and finished files).
final class ProgressMeter: Sendable {
    private struct State {
        var progress: HydrationProgress
        var lastEmit: ContinuousClock.Instant?
    }

    private let state: Mutex<State>
    private let sink: @Sendable (HydrationProgress) -> Void
    private let interval = Duration.milliseconds(100)

    init(mode: String, sink: @escaping @Sendable (HydrationProgress) -> Void) {
        self.sink = sink
        state = Mutex(
            State(
                progress: HydrationProgress(
                    mode: mode, phase: .planning, completedBytes: 0, totalBytes: 0, completedFiles: 0, totalFiles: 0,
                    activeModels: [])))
    }

    func begin(_ phase: HydrationProgress.Phase, totalBytes: Int64 = 0, totalFiles: Int = 0) {
        emit(force: true) {
            $0.phase = phase
            $0.completedBytes = 0
            $0.completedFiles = 0
            $0.totalBytes = totalBytes
            $0.totalFiles = totalFiles
            $0.activeModels = []
        }
    }

    func add(bytes: Int) { emit(force: false) { $0.completedBytes += Int64(bytes) } }

    /// Takes back bytes counted for a download that is thrown away and fetched again.
    func retract(bytes: Int64) { emit(force: false) { $0.completedBytes = max(0, $0.completedBytes - bytes) } }

    func started(_ model: String) {
        emit(force: true) { if !$0.activeModels.contains(model) { $0.activeModels.append(model) } }
    }

    func finished(_ model: String?) {
        emit(force: true) {
            $0.completedFiles += 1
            if let model, let index = $0.activeModels.firstIndex(of: model) { $0.activeModels.remove(at: index) }
        }
    }

    private func emit(force: Bool, _ change: (inout HydrationProgress) -> Void) {
        let now = ContinuousClock.now
        let snapshot = state.withLock { state -> HydrationProgress? in
            change(&state.progress)
            if !force, let last = state.lastEmit, now - last < interval { return nil }
            state.lastEmit = now
            return state.progress
        }
        if let snapshot { sink(snapshot) }
    }
}
