import Synchronization

/// ComfyUI's `PromptQueue` (execution.py): a heap of pending prompts ordered by
/// `(number, prompt_id)` exactly as `heapq` orders the tuples, the running prompts, the
/// history (insertion-ordered, capped at 10,000 + 1), and the `/free` flags. Every change
/// calls `onUpdate` with the new `queue_remaining`, as `server.queue_updated()` is called.
final class ComfyUIPromptQueue: Sendable {
    /// One queue entry: `(number, prompt_id, prompt, extra_data, outputs_to_execute)`.
    struct Item: Sendable {
        var number: ComfyJSON
        var promptID: String
        var prompt: ComfyJSON.Object
        var extraData: ComfyJSON.Object
        var outputs: [String]

        var json: ComfyJSON {
            .array([number, .string(promptID), .object(prompt), .object(extraData), .array(outputs.map(ComfyJSON.string))])
        }

        /// heapq's tuple comparison on the first two fields.
        static func precedes(_ lhs: Item, _ rhs: Item) -> Bool {
            let a = Self.numeric(lhs.number)
            let b = Self.numeric(rhs.number)
            if a != b { return a < b }
            return lhs.promptID < rhs.promptID
        }

        private static func numeric(_ value: ComfyJSON) -> Double {
            switch value {
            case .int(let integer): return Double(integer)
            case .double(let double): return double
            default: return 0
            }
        }
    }

    static let maximumHistorySize = 10_000

    private struct State: ~Copyable {
        var pending: [Item] = []
        var running: [(id: Int, item: Item)] = []
        var taskCounter = 0
        var history: [String: ComfyJSON] = [:]
        var historyOrder: [String] = []
        var flags: [String: ComfyJSON] = [:]
        var waiter: CheckedContinuation<Void, Never>?
        var wakeups = 0
    }

    private let state = Mutex(State())
    private let onUpdate: @Sendable (Int) -> Void

    init(onUpdate: @escaping @Sendable (Int) -> Void) {
        self.onUpdate = onUpdate
    }

    /// `get_tasks_remaining`: pending plus running.
    var remaining: Int { state.withLock { $0.pending.count + $0.running.count } }

    /// Queues `item` unless `rejectingDuplicates` and its id is already queued, running or in
    /// history; returns whether it was queued.
    func put(_ item: Item, rejectingDuplicates: Bool) -> Bool {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>?? in
            if rejectingDuplicates {
                let id = item.promptID
                if state.history[id] != nil || state.pending.contains(where: { $0.promptID == id })
                    || state.running.contains(where: { $0.item.promptID == id })
                {
                    return .none
                }
            }
            state.pending.append(item)
            Self.siftDown(&state.pending, start: 0, position: state.pending.count - 1)
            onUpdate(state.pending.count + state.running.count)
            return .some(Self.takeWaiter(&state))
        }
        guard let waiter else { return false }
        waiter?.resume()
        return true
    }

    /// Waits until something is queued or a flag is set (or the task is cancelled).
    func waitForWork() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if !state.pending.isEmpty || !state.flags.isEmpty || state.wakeups > 0 || Task.isCancelled {
                        state.wakeups = 0
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            wake()
        }
    }

    /// Wakes the worker without work (shutdown, a released fault).
    func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.wakeups += 1
            return Self.takeWaiter(&state)
        }
        waiter?.resume()
    }

    /// `get`: pops the first pending prompt into `currently_running`.
    func pop() -> (item: Item, taskID: Int)? {
        state.withLock { state in
            guard !state.pending.isEmpty else { return nil }
            let item = Self.heapPop(&state.pending)
            let id = state.taskCounter
            state.taskCounter += 1
            state.running.append((id, item))
            onUpdate(state.pending.count + state.running.count)
            return (item, id)
        }
    }

    /// `task_done`: moves the running prompt to history with its entry.
    func taskDone(_ taskID: Int, entry: ComfyJSON) {
        state.withLock { state in
            guard let index = state.running.firstIndex(where: { $0.id == taskID }) else { return }
            let item = state.running.remove(at: index).item
            if state.history.count > Self.maximumHistorySize, let oldest = state.historyOrder.first {
                state.historyOrder.removeFirst()
                state.history[oldest] = nil
            }
            if state.history.updateValue(entry, forKey: item.promptID) == nil { state.historyOrder.append(item.promptID) }
            onUpdate(state.pending.count + state.running.count)
        }
    }

    /// `get_current_queue`: running items, and the pending heap in its array order.
    func current() -> (running: [Item], pending: [Item]) {
        state.withLock { ($0.running.map(\.item), $0.pending) }
    }

    func isRunning(_ promptID: String) -> Bool {
        state.withLock { $0.running.contains { $0.item.promptID == promptID } }
    }

    /// `wipe_queue`.
    func wipe() {
        state.withLock { state in
            state.pending = []
            onUpdate(state.running.count)
        }
    }

    /// `delete_queue_item` for the first pending prompt with this id.
    func delete(_ promptID: String) {
        state.withLock { state in
            guard let index = state.pending.firstIndex(where: { $0.promptID == promptID }) else { return }
            if state.pending.count == 1 {
                state.pending = []
                onUpdate(state.running.count)
            } else {
                state.pending.remove(at: index)
                Self.heapify(&state.pending)
            }
            onUpdate(state.pending.count + state.running.count)
        }
    }

    /// `get_history(prompt_id=…)`: `{id: entry}` or `{}`.
    func history(_ promptID: String) -> ComfyJSON {
        state.withLock { state in
            guard let entry = state.history[promptID] else { return .object([:]) }
            var object = ComfyJSON.Object()
            object[promptID] = entry
            return .object(object)
        }
    }

    /// `get_history(max_items=…, offset=…)`.
    func history(maxItems: Int?, offset: Int) -> ComfyJSON {
        state.withLock { state in
            var start = offset
            if start < 0, let maxItems { start = state.historyOrder.count - maxItems }
            var object = ComfyJSON.Object()
            for (index, id) in state.historyOrder.enumerated() where index >= start {
                object[id] = state.history[id]
                if let maxItems, object.count >= maxItems { break }
            }
            return .object(object)
        }
    }

    func wipeHistory() {
        state.withLock { state in
            state.history = [:]
            state.historyOrder = []
        }
    }

    func deleteHistory(_ promptID: String) {
        state.withLock { state in
            if state.history.removeValue(forKey: promptID) != nil { state.historyOrder.removeAll { $0 == promptID } }
        }
    }

    /// `set_flag`, which also wakes the worker.
    func setFlag(_ name: String, _ value: ComfyJSON) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.flags[name] = value
            return Self.takeWaiter(&state)
        }
        waiter?.resume()
    }

    /// `get_flags(reset=True)`.
    func takeFlags() -> [String: ComfyJSON] {
        state.withLock { state in
            defer { state.flags = [:] }
            return state.flags
        }
    }

    private static func takeWaiter(_ state: inout State) -> CheckedContinuation<Void, Never>? {
        defer { state.waiter = nil }
        return state.waiter
    }

    // heapq, ported so the pending list has Python's exact array order.

    private static func siftDown(_ heap: inout [Item], start: Int, position: Int) {
        var position = position
        let newItem = heap[position]
        while position > start {
            let parent = (position - 1) >> 1
            guard Item.precedes(newItem, heap[parent]) else { break }
            heap[position] = heap[parent]
            position = parent
        }
        heap[position] = newItem
    }

    private static func siftUp(_ heap: inout [Item], position: Int) {
        var position = position
        let end = heap.count
        let start = position
        let newItem = heap[position]
        var child = 2 * position + 1
        while child < end {
            let right = child + 1
            if right < end, !Item.precedes(heap[child], heap[right]) { child = right }
            heap[position] = heap[child]
            position = child
            child = 2 * position + 1
        }
        heap[position] = newItem
        siftDown(&heap, start: start, position: position)
    }

    private static func heapPop(_ heap: inout [Item]) -> Item {
        let last = heap.removeLast()
        guard !heap.isEmpty else { return last }
        let first = heap[0]
        heap[0] = last
        siftUp(&heap, position: 0)
        return first
    }

    private static func heapify(_ heap: inout [Item]) {
        for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftUp(&heap, position: index) }
    }
}
