/// One node type as ComfyUI declares it (`INPUT_TYPES`, `RETURN_TYPES`, `OUTPUT_NODE`, …), which
/// both validation and `/object_info` read.
struct ComfyUINodeDefinition: Sendable {
    /// One declared input: ComfyUI's `(type, options)` tuple.
    struct Input: Sendable {
        var name: String
        /// `"INT"`, `"FLOAT"`, `"STRING"`, `"BOOLEAN"`, a link type such as `"MODEL"`, or a combo's options.
        var type: ComfyJSON
        /// The options dict (`default`, `min`, `max`, `tooltip`, …); nil when the tuple has none.
        var options: ComfyJSON.Object?

        init(_ name: String, _ type: ComfyJSON, _ options: ComfyJSON.Object? = nil) {
            self.name = name
            self.type = type
            self.options = options
        }

        static func combo(_ name: String, _ choices: [String], _ options: ComfyJSON.Object? = nil) -> Input {
            Input(name, .array(choices.map(ComfyJSON.string)), options)
        }

        /// The tuple as `/object_info` and validation errors (`input_config`) show it.
        var config: ComfyJSON {
            if let options { return .array([type, .object(options)]) }
            return .array([type])
        }

        var comboChoices: [ComfyJSON]? { type.arrayValue }
    }

    var name: String
    var displayName: String
    var category: String
    var description: String = ""
    var pythonModule: String = "nodes"
    var required: [Input]
    var optional: [Input] = []
    /// `hidden` inputs (name, kind) such as `("prompt", "PROMPT")`.
    var hidden: [(String, String)] = []
    var outputs: [String]
    var outputNames: [String]?
    var outputTooltips: [String]?
    var isOutputNode = false
    /// Inputs the node's own `VALIDATE_INPUTS` checks, so the generic min/max/list checks skip them.
    var customValidatedInputs: Set<String> = []

    /// The input named `name` and whether it is required.
    func input(named name: String) -> (Input, required: Bool)? {
        if let input = required.first(where: { $0.name == name }) { return (input, true) }
        if let input = optional.first(where: { $0.name == name }) { return (input, false) }
        return nil
    }

    /// The schema as `GET /object_info` shows it (server.py's `node_info`).
    var objectInfo: ComfyJSON {
        var input = ComfyJSON.Object()
        var order = ComfyJSON.Object()
        func section(_ inputs: [Input]) -> ComfyJSON {
            var object = ComfyJSON.Object()
            for item in inputs { object[item.name] = item.config }
            return .object(object)
        }
        input["required"] = section(required)
        order["required"] = .array(required.map { .string($0.name) })
        if !optional.isEmpty {
            input["optional"] = section(optional)
            order["optional"] = .array(optional.map { .string($0.name) })
        }
        if !hidden.isEmpty {
            var object = ComfyJSON.Object()
            for (name, kind) in hidden { object[name] = .string(kind) }
            input["hidden"] = .object(object)
            order["hidden"] = .array(hidden.map { .string($0.0) })
        }
        var info = ComfyJSON.Object()
        info["input"] = .object(input)
        info["input_order"] = .object(order)
        info["output"] = .array(outputs.map(ComfyJSON.string))
        info["output_is_list"] = .array(outputs.map { _ in .bool(false) })
        info["output_name"] = .array((outputNames ?? outputs).map(ComfyJSON.string))
        info["name"] = .string(name)
        info["display_name"] = .string(displayName)
        info["description"] = .string(description)
        info["python_module"] = .string(pythonModule)
        info["category"] = .string(category)
        info["output_node"] = .bool(isOutputNode)
        if let outputTooltips { info["output_tooltips"] = .array(outputTooltips.map(ComfyJSON.string)) }
        return .object(info)
    }
}
