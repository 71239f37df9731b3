import Synchronization

/// comfy_execution/progress.py's `ProgressRegistry` with its `WebUIProgressHandler`: every
/// node that started in this prompt, with its state, sent whole as a broadcast
/// `progress_state` message on each start, update and finish.
final class ComfyUIProgressRegistry: Sendable {
    private let promptID: String
    private let hub: ComfyUIMessageHub
    private let nodes = Mutex(ComfyJSON.Object())

    init(promptID: String, hub: ComfyUIMessageHub) {
        self.promptID = promptID
        self.hub = hub
    }

    /// `start_progress`: running, 0 of 1.
    func start(_ node: String) { set(node, value: 0.0, max: 1.0, state: "running") }

    /// `update_progress` from the sampler hook: running, `value` of `max`.
    func update(_ node: String, value: Int, max: Int) { set(node, value: .int(value), max: .int(max), state: "running") }

    /// `finish_progress`: finished, value = max.
    func finish(_ node: String) {
        let maximum = nodes.withLock { $0[node]?["max"] } ?? 1.0
        set(node, value: maximum, max: maximum, state: "finished")
    }

    private func set(_ node: String, value: ComfyJSON, max: ComfyJSON, state: String) {
        let entry: ComfyJSON = [
            "value": value, "max": max, "state": .string(state), "node_id": .string(node), "prompt_id": .string(promptID),
            "display_node_id": .string(node), "parent_node_id": .null, "real_node_id": .string(node),
        ]
        // Sent under the lock so concurrent updates reach sockets in the order they happened.
        nodes.withLock { nodes in
            nodes[node] = entry
            hub.send("progress_state", ["prompt_id": .string(promptID), "nodes": .object(nodes)], to: nil)
        }
    }
}
