import Foundation
import Logging

/// Runs queued prompts one at a time, as ComfyUI's `prompt_worker` and `PromptExecutor` do,
/// and sends the same websocket messages in the same order:
///
/// `execution_start`, `execution_cached`, then per node `progress_state` (broadcast),
/// `executing`, for the sampler per step `progress_state` + `progress`, `executed` when the
/// node has UI output, `progress_state`; then `execution_success` (or `execution_error`, or
/// `execution_interrupted`, the only broadcast one), the queue `status` as the history entry
/// is written, and `executing` with `node: null`. Without a `client_id` only the broadcast
/// messages (`progress_state`, `progress`, `status`, `execution_interrupted`) are sent.
///
/// Node outputs are cached across prompts like ComfyUI's classic cache: a node whose class,
/// constant inputs and upstream nodes are unchanged since the previous prompt is not run
/// again and is listed in `execution_cached`.
final class ComfyUIExecutor {
    private struct CachedNode {
        var outputs: [ComfyUIValue]
        var ui: ComfyJSON.Object?
    }

    private let queue: ComfyUIPromptQueue
    private let hub: ComfyUIMessageHub
    private let runtime: ComfyUIRuntime
    private let folders: ComfyUIFolders
    private let configuration: ComfyUIEmulatorConfiguration
    private let definitions: [String: ComfyUINodeDefinition]
    private let crash: @Sendable () -> Void
    private let logger: Logger
    private var cache: [String: CachedNode] = [:]

    init(
        queue: ComfyUIPromptQueue, hub: ComfyUIMessageHub, runtime: ComfyUIRuntime, folders: ComfyUIFolders,
        configuration: ComfyUIEmulatorConfiguration, crash: @escaping @Sendable () -> Void, logger: Logger
    ) {
        self.queue = queue
        self.hub = hub
        self.runtime = runtime
        self.folders = folders
        self.configuration = configuration
        self.crash = crash
        self.logger = logger
        let definitions = ComfyUINodeCatalog.definitions(checkpoints: [], loras: [], inputImages: [])
        self.definitions = Dictionary(uniqueKeysWithValues: definitions.map { ($0.name, $0) })
    }

    /// `e.reset()` after a `free_memory` flag: the output cache is dropped.
    func reset() { cache = [:] }

    /// Runs one queued prompt to its history entry. Throws only when the emulator must stop
    /// (the crash fault, cancellation).
    func execute(_ item: ComfyUIPromptQueue.Item, taskID: Int) async throws {
        let started = ContinuousClock.now
        let promptID = item.promptID
        let prompt = item.prompt
        let clientID = item.extraData["client_id"]?.stringValue
        runtime.clearInterrupt()
        var messages: [ComfyJSON] = []
        func addMessage(_ event: String, _ data: ComfyJSON.Object, broadcast: Bool) {
            var data = data
            data["timestamp"] = .int(Int(Date().timeIntervalSince1970 * 1000))
            messages.append([.string(event), .object(data)])
            if clientID != nil || broadcast { hub.send(event, .object(data), to: clientID) }
        }
        addMessage("execution_start", ["prompt_id": .string(promptID)], broadcast: false)

        let signatures = try await signatures(of: prompt)
        let current = Set(signatures.values)
        cache = configuration.cacheEnabled ? cache.filter { current.contains($0.key) } : [:]
        let cachedNodes = prompt.keys.filter { cache[signatures[$0] ?? ""] != nil }
        addMessage(
            "execution_cached", ["nodes": .array(cachedNodes.map(ComfyJSON.string)), "prompt_id": .string(promptID)],
            broadcast: false)

        let progress = ComfyUIProgressRegistry(promptID: promptID, hub: hub)

        let isOutput: (String) -> Bool = { [definitions] id in
            prompt[id]?["class_type"]?.stringValue.flatMap { definitions[$0]?.isOutputNode } ?? false
        }
        let cacheSnapshot = cache
        var list = ComfyUIExecutionList(
            prompt: prompt, isOutputNode: isOutput, isCached: { cacheSnapshot[signatures[$0] ?? ""] != nil })
        for output in item.outputs { list.add(output) }
        var values: [String: [ComfyUIValue]] = [:]
        var executed: [String] = []
        var success = true

        while !list.isEmpty {
            guard let node = list.next() else { break }
            let signature = signatures[node] ?? node
            let classType = prompt[node]?["class_type"]?.stringValue ?? ""
            if let cached = cache[signature] {
                if clientID != nil {
                    hub.send(
                        "executed",
                        [
                            "node": .string(node), "display_node": .string(node),
                            "output": cached.ui.map(ComfyJSON.object) ?? .null,
                            "prompt_id": .string(promptID),
                        ], to: clientID)
                }
                values[node] = cached.outputs
                progress.finish(node)
                list.complete(node)
                continue
            }
            progress.start(node)
            if clientID != nil {
                hub.setExecuting(clientID: clientID, node: node)
                hub.send(
                    "executing", ["node": .string(node), "display_node": .string(node), "prompt_id": .string(promptID)],
                    to: clientID)
            }
            let (links, constants) = inputs(of: node, prompt: prompt, values: values, signatures: signatures)
            let runner = ComfyUINodeRunner(
                folders: folders, runtime: runtime, configuration: configuration, crash: crash,
                progress: { [hub, stepProgress = configuration.stepProgress] step, steps in
                    guard stepProgress else { return }
                    // main.py's hijack_progress: the registry update, then `progress` to the client.
                    progress.update(node, value: step, max: steps)
                    hub.send(
                        "progress",
                        ["value": .int(step), "max": .int(steps), "prompt_id": .string(promptID), "node": .string(node)],
                        to: clientID)
                })
            let result: ComfyUINodeResult
            do {
                if runtime.isInterrupted { throw ComfyUINodeStop.interrupted }
                result = try await runner.run(classType, promptID: promptID, links: links, constants: constants)
            } catch let stop as ComfyUINodeStop {
                switch stop {
                case .crashed:
                    throw ComfyUIEmulatorCrashed()
                case .interrupted:
                    addMessage(
                        "execution_interrupted",
                        [
                            "prompt_id": .string(promptID), "node_id": .string(node), "node_type": .string(classType),
                            "executed": .array(executed.map(ComfyJSON.string)),
                        ], broadcast: true)
                case .failed(let type, let message, let traceback):
                    logger.error("!!! Exception during processing !!! \(message)", metadata: ["node": "\(node)"])
                    addMessage(
                        "execution_error",
                        [
                            "prompt_id": .string(promptID), "node_id": .string(node), "node_type": .string(classType),
                            "executed": .array(executed.map(ComfyJSON.string)), "exception_message": .string(message),
                            "exception_type": .string(type), "traceback": .array(traceback.map(ComfyJSON.string)),
                            "current_inputs": .object(
                                Self.formatted(links: links, constants: constants, prompt: prompt, node: node)),
                            "current_outputs": .array(prompt.keys.map(ComfyJSON.string)),
                        ], broadcast: false)
                }
                success = false
                break
            }
            if let ui = result.ui, clientID != nil {
                hub.send(
                    "executed",
                    [
                        "node": .string(node), "display_node": .string(node), "output": .object(ui),
                        "prompt_id": .string(promptID),
                    ], to: clientID)
            }
            values[node] = result.outputs
            if configuration.cacheEnabled || result.ui != nil {
                cache[signature] = CachedNode(outputs: result.outputs, ui: result.ui)
            }
            progress.finish(node)
            executed.append(node)
            list.complete(node)
        }
        if success { addMessage("execution_success", ["prompt_id": .string(promptID)], broadcast: false) }

        var outputs = ComfyJSON.Object()
        var meta = ComfyJSON.Object()
        for node in prompt.keys {
            guard let ui = cache[signatures[node] ?? ""]?.ui else { continue }
            outputs[node] = .object(ui)
            meta[node] = [
                "node_id": .string(node), "display_node": .string(node), "parent_node": .null, "real_node_id": .string(node),
            ]
        }
        if !configuration.cacheEnabled { cache = [:] }
        let entry: ComfyJSON = [
            "prompt": item.json, "outputs": .object(outputs),
            "status": ["status_str": success ? "success" : "error", "completed": .bool(success), "messages": .array(messages)],
            "meta": .object(meta),
        ]
        hub.setExecuting(clientID: nil, node: nil)
        queue.taskDone(taskID, entry: entry)
        if clientID != nil { hub.send("executing", ["node": .null, "prompt_id": .string(promptID)], to: clientID) }
        let seconds = started.duration(to: .now)
        runtime.promptRan(seconds: seconds)
        logger.info("Prompt executed in \(seconds)", metadata: ["prompt_id": "\(promptID)"])
    }

    /// Links resolved to upstream values, and constants as given.
    private func inputs(
        of node: String, prompt: ComfyJSON.Object, values: [String: [ComfyUIValue]], signatures: [String: String]
    ) -> ([String: ComfyUIValue], [String: ComfyJSON]) {
        var links: [String: ComfyUIValue] = [:]
        var constants: [String: ComfyJSON] = [:]
        for (name, value) in prompt[node]?["inputs"]?.objectValue?.entries ?? [] {
            if let link = value.arrayValue, link.count == 2, let from = link[0].stringValue {
                let slot = (try? ComfyUIPythonConversions.int(link[1])).map { Int(clamping: $0) } ?? 0
                let upstream = values[from] ?? cache[signatures[from] ?? ""]?.outputs ?? []
                let index = slot < 0 ? upstream.count + slot : slot
                if upstream.indices.contains(index) { links[name] = upstream[index] }
            } else {
                constants[name] = value
            }
        }
        return (links, constants)
    }

    /// `current_inputs`: every input as a one-element list of `format_value(x)`.
    private static func formatted(
        links: [String: ComfyUIValue], constants: [String: ComfyJSON], prompt: ComfyJSON.Object, node: String
    ) -> ComfyJSON.Object {
        var object = ComfyJSON.Object()
        for (name, _) in prompt[node]?["inputs"]?.objectValue?.entries ?? [] {
            if let link = links[name] {
                object[name] = [.string(link.pythonDescription)]
            } else if let constant = constants[name] {
                switch constant {
                case .null, .bool, .int, .double, .string: object[name] = [constant]
                default: object[name] = [.string(constant.pythonRepr)]
                }
            }
        }
        return object
    }

    /// Each node's cache key: class, IS_CHANGED, constant inputs by name, and its ancestors'
    /// keys (ComfyUI's `CacheKeySetInputSignature`).
    private func signatures(of prompt: ComfyJSON.Object) async throws -> [String: String] {
        var changed: [String: String] = [:]
        for (id, node) in prompt.entries where node["class_type"]?.stringValue == "LoadImage" {
            let name = node["inputs"]?["image"]?.pythonString ?? ""
            let folders = folders
            changed[id] = try await ComfyUINodeRunner.offload { Self.fingerprint(folders.inputImagePath(name)) }
        }
        var signatures: [String: String] = [:]
        func signature(_ id: String, depth: Int) -> String {
            if let known = signatures[id] { return known }
            guard depth < 256, let node = prompt[id]?.objectValue else { return "missing:\(id):\(UUID())" }
            var parts = [(node["class_type"] ?? .null).serialized, changed[id] ?? "false"]
            let inputs = node["inputs"]?.objectValue?.entries ?? []
            for (name, value) in inputs.sorted(by: { $0.key < $1.key }) {
                if let link = value.arrayValue, link.count == 2, let from = link[0].stringValue {
                    parts.append("\(name)=(\(signature(from, depth: depth + 1))#\(link[1].serialized))")
                } else {
                    parts.append("\(name)=\(value.serialized)")
                }
            }
            let result = "[" + parts.joined(separator: ",") + "]"
            signatures[id] = result
            return result
        }
        for id in prompt.keys { _ = signature(id, depth: 0) }
        return signatures
    }

    /// LoadImage's `IS_CHANGED` (ComfyUI hashes the file): FNV-1a over the bytes; a missing
    /// file never matches anything.
    private static func fingerprint(_ path: String?) -> String {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return "nan:\(UUID())" }
        return String(SplitMix64.fnv1a(data), radix: 16) + ":\(data.count)"
    }
}

/// The crash fault ended the emulator (in-process mode).
public struct ComfyUIEmulatorCrashed: Error, Sendable, CustomStringConvertible {
    public var description: String { "the emulated ComfyUI crashed (fault injection)" }
}
