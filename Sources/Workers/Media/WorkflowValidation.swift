import VelocityTypes
import Foundation

/// The checks a workflow and its manifest pass before any job uses them. Each failure names
/// the entry at fault.
struct WorkflowValidation {
    let manifest: WorkflowManifest
    let graph: [String: JSONValue]

    func check() throws {
        try checkNodes()
        try checkParameters()
        try checkOutputNode()
        // The template matters only to a workflow that takes the positive prompt.
        if manifest.parameters["positive_prompt"] != nil { try checkTemplate() }
        try checkModels()
    }

    /// Every node has a `class_type` and an `inputs` object, and every link points at a node.
    private func checkNodes() throws {
        guard !graph.isEmpty else { throw WorkflowError(entry: "workflow", "has no nodes") }
        for id in graph.keys.sorted() {
            guard let classType = graph[id]?["class_type"]?.stringValue, !classType.isEmpty else {
                throw WorkflowError(entry: "workflow.\(id)", "has no class_type")
            }
            guard let inputs = graph[id]?["inputs"]?.objectValue else {
                throw WorkflowError(entry: "workflow.\(id)", "(\(classType)) has no inputs object")
            }
            for (name, value) in inputs {
                if let source = Self.link(value), graph[source] == nil {
                    throw WorkflowError(entry: "workflow.\(id).inputs.\(name)", "links to node \(source), which is not in the workflow")
                }
            }
        }
    }

    private func checkParameters() throws {
        for name in WorkflowManifest.requiredParameters where manifest.parameters[name] == nil {
            throw WorkflowError(entry: "parameters.\(name)", "is required (the media worker sets it for every render)")
        }
        for name in manifest.parameters.keys.sorted() {
            let parameter = manifest.parameters[name]!
            let entry = "parameters.\(name)"
            guard WorkflowManifest.parameterTypes.contains(parameter.type) else {
                throw WorkflowError(
                    entry: entry, "type \"\(parameter.type)\" is not one of \(WorkflowManifest.parameterTypes.joined(separator: ", "))")
            }
            guard let node = graph[parameter.node] else {
                throw WorkflowError(entry: entry, "node \"\(parameter.node)\" is not in the workflow")
            }
            let classType = node["class_type"]?.stringValue ?? "?"
            guard let value = node["inputs"]?[parameter.input] else {
                throw WorkflowError(entry: entry, "node \"\(parameter.node)\" (\(classType)) has no input \"\(parameter.input)\"")
            }
            guard Self.value(value, fits: parameter.type) else {
                let held = Self.link(value) != nil ? "a link to another node" : "a \(value.typeName)"
                throw WorkflowError(
                    entry: entry,
                    "node \"\(parameter.node)\" input \"\(parameter.input)\" holds \(held), not a value of type \(parameter.type)")
            }
        }
        if let denoise = manifest.parameters["denoise"] {
            let value = graph[denoise.node]?["inputs"]?[denoise.input]?.doubleValue ?? 1
            guard value > 0, value < 1 else {
                throw WorkflowError(
                    entry: "parameters.denoise", "is \(value) in the workflow: img2img needs a denoise above 0 and below 1")
            }
        }
    }

    private func checkOutputNode() throws {
        guard let node = graph[manifest.output_node] else {
            throw WorkflowError(entry: "output_node", "node \"\(manifest.output_node)\" is not in the workflow")
        }
        guard let prefix = manifest.parameters["filename_prefix"], prefix.node == manifest.output_node else {
            throw WorkflowError(
                entry: "parameters.filename_prefix",
                "must be an input of the output node \"\(manifest.output_node)\" (\(node["class_type"]?.stringValue ?? "?")), so each job's files are its own")
        }
    }

    private func checkTemplate() throws {
        var rest = Substring(manifest.prompt_template)
        var seen: Set<String> = []
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw WorkflowError(entry: "prompt_template", "has a { without a closing }")
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard WorkflowManifest.templatePlaceholders.contains(name) else {
                throw WorkflowError(
                    entry: "prompt_template",
                    "has an unknown placeholder {\(name)} (known: \(WorkflowManifest.templatePlaceholders.map { "{\($0)}" }.joined(separator: ", ")))")
            }
            seen.insert(name)
            rest = rest[rest.index(after: close)...]
        }
        for name in WorkflowManifest.templatePlaceholders where !seen.contains(name) {
            throw WorkflowError(entry: "prompt_template", "must use {\(name)}")
        }
    }

    /// The models listed are the model files the graph names, no more and no fewer: none for a
    /// workflow that loads no model (image operations only), which ComfyUI runs as well.
    private func checkModels() throws {
        var used: [String: String] = [:]
        for id in graph.keys.sorted() {
            for (name, value) in graph[id]?["inputs"]?.objectValue ?? [:] {
                guard let file = value.stringValue, Self.isModelInput(name, file) else { continue }
                used[file] = "workflow.\(id).inputs.\(name)"
            }
        }
        var listed: Set<String> = []
        for (index, model) in manifest.models.enumerated() {
            let entry = "models[\(index)]"
            guard !model.folder.isEmpty, !model.folder.contains("/"), !model.folder.hasPrefix(".") else {
                throw WorkflowError(entry: entry, "folder \"\(model.folder)\" is not a ComfyUI model folder name")
            }
            guard !model.name.isEmpty, !model.name.hasPrefix("/"), !model.name.split(separator: "/").contains("..") else {
                throw WorkflowError(entry: entry, "name \"\(model.name)\" is not a relative file name")
            }
            listed.insert(model.name)
        }
        for (file, input) in used.sorted(by: { $0.key < $1.key }) where !listed.contains(file) {
            throw WorkflowError(entry: "models", "does not list \(file), which \(input) loads")
        }
        for (index, model) in manifest.models.enumerated() where used[model.name] == nil {
            throw WorkflowError(entry: "models[\(index)]", "\(model.name) is not loaded by any node of the workflow")
        }
    }

    static func isModelInput(_ name: String, _ value: String) -> Bool {
        if ComfyUIPromptRejection.modelInputNames.contains(name) { return true }
        let lower = value.lowercased()
        return ComfyUIPromptRejection.modelExtensions.contains { lower.hasSuffix($0) }
    }

    /// `[node_id, output_index]`: an input fed by another node.
    static func link(_ value: JSONValue) -> String? {
        guard let pair = value.arrayValue, pair.count == 2, let id = pair[0].stringValue, pair[1].intValue != nil else {
            return nil
        }
        return id
    }

    static func value(_ value: JSONValue, fits type: String) -> Bool {
        switch (type, value) {
        case ("image", .string), ("string", .string), ("integer", .int), ("number", .int), ("number", .double):
            return true
        default:
            return false
        }
    }
}
