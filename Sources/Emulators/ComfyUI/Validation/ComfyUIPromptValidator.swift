/// ComfyUI's `validate_prompt` / `validate_inputs` (execution.py), ported rule for rule so a
/// prompt is accepted, trimmed or refused exactly as the real server would, with the same
/// error dicts. Pure: the only outside fact it needs is whether an input image exists.
struct ComfyUIPromptValidator: Sendable {
    /// `validate_prompt`'s 4-tuple, plus the prompt with its widget values converted
    /// (`inputs[x] = int(val)` …), which is what ComfyUI queues and later shows in history.
    struct Result: Sendable {
        var isValid: Bool
        var error: ComfyJSON?
        var outputs: [String]
        var nodeErrors: ComfyJSON.Object
        var prompt: ComfyJSON.Object
    }

    /// One failed check, in ComfyUI's `{type, message, details, extra_info}` shape.
    struct Reason {
        var type: String
        var message: String
        var details: String
        var extraInfo: ComfyJSON.Object

        var json: ComfyJSON {
            .object([
                "type": .string(type), "message": .string(message), "details": .string(details),
                "extra_info": .object(extraInfo),
            ])
        }
    }

    /// A Python exception raised while validating (KeyError on a missing node, …).
    struct PythonException: Error {
        var type: String
        var message: String
    }

    let definitions: [String: ComfyUINodeDefinition]
    /// LoadImage's `VALIDATE_INPUTS`: whether an (annotated) input file exists.
    let inputImageExists: @Sendable (String) -> Bool

    private typealias Verdict = (valid: Bool, reasons: [Reason])

    func validate(_ original: ComfyJSON.Object, partialExecutionTargets: [String]? = nil) -> Result {
        var prompt = original
        var outputs: [String] = []
        for (id, node) in prompt.entries {
            guard let classType = node["class_type"] else {
                return failure(
                    "invalid_prompt", "Cannot execute because a node is missing the class_type property.",
                    "Node ID '#\(id)'", prompt)
            }
            guard let typeName = classType.stringValue, let definition = definitions[typeName] else {
                return failure(
                    "invalid_prompt", "Cannot execute because node \(classType.pythonString) does not exist.",
                    "Node ID '#\(id)'", prompt)
            }
            if definition.isOutputNode, partialExecutionTargets.map({ $0.contains(id) }) ?? true {
                outputs.append(id)
            }
        }
        guard !outputs.isEmpty else { return failure("prompt_no_outputs", "Prompt has no outputs", "", prompt) }

        var goodOutputs: [String] = []
        var errors: [(String, [Reason])] = []
        var nodeErrors = ComfyJSON.Object()
        var validated: [String: Verdict] = [:]
        var validatedOrder: [String] = []
        for output in outputs {
            var inProgress: Set<String> = []
            var verdict: Verdict
            do {
                verdict = try validateInputs(
                    output, prompt: &prompt, validated: &validated, order: &validatedOrder, inProgress: &inProgress)
            } catch {
                verdict = (
                    false,
                    [
                        Reason(
                            type: "exception_during_validation", message: "Exception when validating node",
                            details: error.message,
                            extraInfo: [
                                "exception_type": .string(error.type), "traceback": .array(Self.traceback(error)),
                            ])
                    ]
                )
                record(output, verdict, in: &validated, order: &validatedOrder)
            }
            if verdict.valid {
                goodOutputs.append(output)
                continue
            }
            errors.append((output, verdict.reasons))
            // Like ComfyUI, every failing node validated so far (not only this output's
            // ancestors) gets this output appended to its dependent_outputs.
            for nodeID in validatedOrder {
                guard let result = validated[nodeID], !result.valid, !result.reasons.isEmpty else { continue }
                var entry = nodeErrors[nodeID]?.objectValue ?? [
                    "errors": .array(result.reasons.map(\.json)), "dependent_outputs": [],
                    "class_type": prompt[nodeID]?["class_type"] ?? .null,
                ]
                entry["dependent_outputs"] = .array((entry["dependent_outputs"]?.arrayValue ?? []) + [.string(output)])
                nodeErrors[nodeID] = .object(entry)
            }
        }
        guard !goodOutputs.isEmpty else {
            let details = errors.flatMap { $0.1 }.map { "\($0.message): \($0.details)" }.joined(separator: "\n")
            let error = Reason(
                type: "prompt_outputs_failed_validation", message: "Prompt outputs failed validation", details: details,
                extraInfo: [:])
            return Result(isValid: false, error: error.json, outputs: [], nodeErrors: nodeErrors, prompt: prompt)
        }
        return Result(isValid: true, error: nil, outputs: goodOutputs, nodeErrors: nodeErrors, prompt: prompt)
    }

    private func failure(_ type: String, _ message: String, _ details: String, _ prompt: ComfyJSON.Object) -> Result {
        let reason = Reason(type: type, message: message, details: details, extraInfo: [:])
        return Result(isValid: false, error: reason.json, outputs: [], nodeErrors: [:], prompt: prompt)
    }

    private func record(_ id: String, _ verdict: Verdict, in validated: inout [String: Verdict], order: inout [String]) {
        if validated.updateValue(verdict, forKey: id) == nil { order.append(id) }
    }

    /// `validate_inputs` for node `id`, memoized in `validated`.
    private func validateInputs(
        _ id: String, prompt: inout ComfyJSON.Object, validated: inout [String: Verdict], order: inout [String],
        inProgress: inout Set<String>
    ) throws(PythonException) -> Verdict {
        if let known = validated[id] { return known }
        // A cycle recurses until Python's stack runs out.
        guard inProgress.insert(id).inserted else {
            throw PythonException(type: "RecursionError", message: "maximum recursion depth exceeded")
        }
        defer { inProgress.remove(id) }
        guard let node = prompt[id]?.objectValue else { throw PythonException(type: "KeyError", message: "'\(id)'") }
        guard var inputs = node["inputs"]?.objectValue else {
            throw PythonException(type: "KeyError", message: "'inputs'")
        }
        guard let typeName = node["class_type"]?.stringValue, let definition = definitions[typeName] else {
            throw PythonException(type: "KeyError", message: (node["class_type"] ?? .null).pythonRepr)
        }
        var errors: [Reason] = []
        var valid = true
        for (input, isRequired) in definition.required.map({ ($0, true) }) + definition.optional.map({ ($0, false) }) {
            let name = input.name
            guard var value = inputs[name] else {
                if isRequired {
                    errors.append(
                        Reason(
                            type: "required_input_missing", message: "Required input is missing", details: name,
                            extraInfo: ["input_name": .string(name)]))
                }
                continue
            }
            if let link = value.arrayValue {
                guard link.count == 2 else {
                    errors.append(
                        Reason(
                            type: "bad_linked_input",
                            message: "Bad linked input, must be a length-2 list of [node_id, slot_index]", details: name,
                            extraInfo: ["input_name": .string(name), "input_config": input.config, "received_value": value]))
                    continue
                }
                let receivedType = try linkedType(link, prompt: prompt)
                guard Self.typesMatch(received: receivedType, expected: input.type) else {
                    errors.append(
                        Reason(
                            type: "return_type_mismatch", message: "Return type mismatch between linked nodes",
                            details: "\(name), received_type(\(receivedType)) mismatch input_type(\(input.type.pythonString))",
                            extraInfo: [
                                "input_name": .string(name), "input_config": input.config,
                                "received_type": .string(receivedType), "linked_node": value,
                            ]))
                    continue
                }
                let upstream = link[0].stringValue ?? link[0].pythonString
                do {
                    let verdict = try validateInputs(
                        upstream, prompt: &prompt, validated: &validated, order: &order, inProgress: &inProgress)
                    if !verdict.valid { valid = false }
                } catch {
                    valid = false
                    let reason = Reason(
                        type: "exception_during_inner_validation", message: "Exception when validating inner node",
                        details: error.message,
                        extraInfo: [
                            "input_name": .string(name), "input_config": input.config,
                            "exception_message": .string(error.message), "exception_type": .string(error.type),
                            "traceback": .array(Self.traceback(error)), "linked_node": value,
                        ])
                    record(upstream, (false, [reason]), in: &validated, order: &order)
                }
                continue
            }
            if let wrapped = value["__value__"] {
                value = wrapped
                inputs[name] = value
            }
            if let conversion = input.type.stringValue, ["INT", "FLOAT", "STRING", "BOOLEAN"].contains(conversion) {
                do {
                    value = try ComfyUIPythonConversions.convert(value, to: conversion)
                    inputs[name] = value
                } catch {
                    errors.append(
                        Reason(
                            type: "invalid_input_type", message: "Failed to convert an input value to a \(conversion) value",
                            details: "\(name), \(value.pythonString), \(error.message)",
                            extraInfo: [
                                "input_name": .string(name), "input_config": input.config, "received_value": value,
                                "exception_message": .string(error.message),
                            ]))
                    continue
                }
            }
            if definition.customValidatedInputs.contains(name) { continue }
            let options = input.options ?? [:]
            if let minimum = options["min"], ComfyUIPythonConversions.isLess(value, than: minimum) {
                errors.append(
                    Reason(
                        type: "value_smaller_than_min",
                        message: "Value \(value.pythonString) smaller than min of \(minimum.pythonString)", details: name,
                        extraInfo: ["input_name": .string(name), "input_config": input.config, "received_value": value]))
                continue
            }
            if let maximum = options["max"], ComfyUIPythonConversions.isLess(maximum, than: value) {
                errors.append(
                    Reason(
                        type: "value_bigger_than_max",
                        message: "Value \(value.pythonString) bigger than max of \(maximum.pythonString)", details: name,
                        extraInfo: ["input_name": .string(name), "input_config": input.config, "received_value": value]))
                continue
            }
            if let choices = input.comboChoices, !choices.contains(where: { ComfyUIPythonConversions.equal($0, value) }) {
                let tooLong = choices.count > 20
                let listInfo = tooLong ? "(list of length \(choices.count))" : ComfyJSON.array(choices).pythonRepr
                errors.append(
                    Reason(
                        type: "value_not_in_list", message: "Value not in list",
                        details: "\(name): '\(value.pythonString)' not in \(listInfo)",
                        extraInfo: [
                            "input_name": .string(name), "input_config": tooLong ? .null : input.config,
                            "received_value": value,
                        ]))
                continue
            }
        }
        // LoadImage.VALIDATE_INPUTS(image)
        if definition.name == "LoadImage", let image = inputs["image"], image.arrayValue == nil {
            let file = image.pythonString
            if !inputImageExists(file) {
                errors.append(
                    Reason(
                        type: "custom_validation_failed", message: "Custom validation failed for node",
                        details: "image - Invalid image file: \(file)", extraInfo: ["input_name": "image"]))
            }
        }
        var updated = node
        updated["inputs"] = .object(inputs)
        prompt[id] = .object(updated)
        let verdict: Verdict = (errors.isEmpty && valid, errors)
        record(id, verdict, in: &validated, order: &order)
        return verdict
    }

    /// The type an `[node_id, slot]` link delivers: `RETURN_TYPES[slot]` of the linked node.
    private func linkedType(_ link: [ComfyJSON], prompt: ComfyJSON.Object) throws(PythonException) -> String {
        let key = link[0].stringValue
        guard let key, let node = prompt[key]?.objectValue else {
            throw PythonException(type: "KeyError", message: key.map { "'\($0)'" } ?? link[0].pythonString)
        }
        guard let typeName = node["class_type"]?.stringValue, let definition = definitions[typeName] else {
            throw PythonException(type: "KeyError", message: (node["class_type"] ?? .null).pythonRepr)
        }
        let slot: Int
        switch link[1] {
        case .int(let value): slot = Int(clamping: value)
        case .bool(let value): slot = value ? 1 : 0
        default:
            throw PythonException(
                type: "TypeError",
                message: "tuple indices must be integers or slices, not \(ComfyUIPythonConversions.typeName(link[1]))")
        }
        let index = slot < 0 ? definition.outputs.count + slot : slot
        guard definition.outputs.indices.contains(index) else {
            throw PythonException(type: "IndexError", message: "tuple index out of range")
        }
        return definition.outputs[index]
    }

    /// comfy_execution/validation.py `validate_node_input`: equal, a wildcard, or overlapping
    /// comma-separated unions.
    static func typesMatch(received: String, expected: ComfyJSON) -> Bool {
        guard let expected = expected.stringValue else { return false }
        if received == expected { return true }
        let receivedTypes = Set(received.split(separator: ",").map { $0.trimmingSpaces })
        let expectedTypes = Set(expected.split(separator: ",").map { $0.trimmingSpaces })
        if receivedTypes.contains("*") || expectedTypes.contains("*") { return true }
        return !receivedTypes.isDisjoint(with: expectedTypes)
    }

    private static func traceback(_ error: PythonException) -> [ComfyJSON] {
        [
            "  File \"/ComfyUI/execution.py\", line 1045, in validate_inputs\n    r = nodes.NODE_CLASS_MAPPINGS[o_class_type].RETURN_TYPES\n"
        ]
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
