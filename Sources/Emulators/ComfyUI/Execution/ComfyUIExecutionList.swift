/// ComfyUI's `ExecutionList` (comfy_execution/graph.py): the nodes an output needs, skipping
/// cached ones, and the order it runs them in (`ux_friendly_pick_node`: output nodes first,
/// then nodes one or two links away from an output, else the first ready node).
struct ComfyUIExecutionList {
    private let prompt: ComfyJSON.Object
    private let isOutputNode: (String) -> Bool
    private let isCached: (String) -> Bool
    private var pending: [String] = []
    private var blockCount: [String: Int] = [:]
    private var blocking: [String: [String]] = [:]

    init(prompt: ComfyJSON.Object, isOutputNode: @escaping (String) -> Bool, isCached: @escaping (String) -> Bool) {
        self.prompt = prompt
        self.isOutputNode = isOutputNode
        self.isCached = isCached
    }

    var isEmpty: Bool { pending.isEmpty }

    /// `add_node`: the node and its uncached ancestors, with a strong link per input.
    mutating func add(_ nodeID: String) {
        var stack = [nodeID]
        var links: [(from: String, to: String)] = []
        while let id = stack.popLast() {
            if blockCount[id] != nil { continue }
            pending.append(id)
            blockCount[id] = 0
            blocking[id] = []
            for (_, value) in prompt[id]?["inputs"]?.objectValue?.entries ?? [] {
                guard let link = value.arrayValue, link.count == 2, let from = link[0].stringValue else { continue }
                if !isCached(from) { stack.append(from) }
                links.append((from, id))
            }
        }
        for link in links { addStrongLink(from: link.from, to: link.to) }
    }

    private mutating func addStrongLink(from: String, to: String) {
        if !isCached(from) { add(from) }
        guard blocking[from] != nil else { return }
        if !blocking[from]!.contains(to) {
            blocking[from]!.append(to)
            blockCount[to, default: 0] += 1
        }
    }

    /// The node to run next, or nil when none is ready (a dependency cycle).
    func next() -> String? {
        let ready = pending.filter { blockCount[$0] == 0 }
        guard !ready.isEmpty else { return nil }
        if let output = ready.first(where: isOutputNode) { return output }
        if let near = ready.first(where: { (blocking[$0] ?? []).contains(where: isOutputNode) }) { return near }
        if let twoAway = ready.first(where: { id in
            (blocking[id] ?? []).contains { (blocking[$0] ?? []).contains(where: isOutputNode) }
        }) {
            return twoAway
        }
        return ready[0]
    }

    /// `complete_node_execution`: the node is done and stops blocking its dependents.
    mutating func complete(_ nodeID: String) {
        pending.removeAll { $0 == nodeID }
        for blocked in blocking[nodeID] ?? [] { blockCount[blocked, default: 1] -= 1 }
        blocking[nodeID] = nil
        blockCount[nodeID] = nil
    }

    /// The nodes still pending, for the dependency-cycle error.
    var remaining: [String] { pending }
}
