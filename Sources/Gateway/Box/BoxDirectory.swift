import GPUBox

/// Which queues the GPU boxes can serve right now, to tell a client why its job waits.
enum BoxDirectory {
    static let heartbeatTimeout = BoxStateStore.heartbeatTimeout

    static func isGPUQueue(_ queue: String) -> Bool { queue == "media" || queue == "llm" }

    /// Why a queued job of `queue` cannot start, or nil when some live box serves it (or the
    /// queue is not a GPU queue).
    static func waitingReason(queue: String, boxes: [BoxStateStore.BoxView]) -> String? {
        guard isGPUQueue(queue) else { return nil }
        let alive = boxes.filter { $0.isAlive(timeout: heartbeatTimeout) }
        if alive.contains(where: { $0.status.servedQueues.contains(queue) }) { return nil }
        guard !alive.isEmpty else {
            return boxes.isEmpty ? "waiting: no GPU box has reported" : "waiting: no GPU box is alive"
        }
        let modes = alive.map { box -> String in
            if let switching = box.status.switching { return "\(box.status.box) switching to \(switching.to)" }
            return "\(box.status.box) in \(box.status.mode?.rawValue ?? "no") mode"
        }
        return "waiting: no \(queue) capacity, " + (alive.count == 1 ? "box " : "boxes ") + modes.joined(separator: ", ")
    }
}
