import Synchronization

/// What a GPU lane's ComfyUI holds in VRAM, as its worker knows it: the model sets of the
/// workflows it rendered last, least recently used first out past `capacity` sets. ComfyUI has
/// no route that lists its loaded models, so the worker keeps this itself; it is a routing hint
/// (a wrong guess costs a model load, never a wrong render).
final class LoadedModels: Sendable {
    private let sets = Mutex<[Set<String>]>([])
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// A render of `workflow` is about to run: its models are loaded and most recently used.
    func use(_ workflow: DreamWeaverWorkflow) {
        let models = Set(workflow.models.map(\.key))
        sets.withLock { sets in
            sets.removeAll { $0 == models }
            sets.append(models)
            if sets.count > capacity { sets.removeFirst(sets.count - capacity) }
        }
    }

    /// Forgets everything (the backend stopped answering: it may have restarted empty).
    func clear() {
        sets.withLock { $0 = [] }
    }

    var held: Set<String> { sets.withLock { $0.reduce(into: Set<String>()) { $0.formUnion($1) } } }
}
