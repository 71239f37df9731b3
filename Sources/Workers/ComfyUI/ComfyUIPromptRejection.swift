public import VelocityTypes
import Broker
import Foundation

/// Reads ComfyUI's refusals of a prompt (`execution.validate_prompt`'s shapes) into errors
/// with stable codes.
///
/// A 400 body is `{"error": {type, message, details, extra_info}, "node_errors": {node_id:
/// {errors: [{type, message, details, extra_info}], dependent_outputs, class_type}}}`; a 200
/// may carry the same `node_errors` for outputs it dropped.
public enum ComfyUIPromptRejection {
    /// Input names of ComfyUI's model loaders; a `value_not_in_list` on one is a missing file.
    static let modelInputNames: Set<String> = [
        "ckpt_name", "vae_name", "lora_name", "unet_name", "clip_name", "clip_name1", "clip_name2", "clip_name3",
        "clip_name4", "control_net_name", "model_name", "upscale_model_name", "style_model_name", "gligen_name",
        "hypernetwork_name", "clip_vision_name", "config_name",
    ]
    static let modelExtensions = [".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".sft", ".onnx"]

    /// The error for a refused `POST /prompt` (any status but 200 and 409).
    public static func error(status: Int, body: [UInt8]) -> ComfyUIError {
        guard let json = try? JSONValue(parsing: body) else {
            // ComfyUI answers malformed JSON with a 500 in text/plain (our fault, not worth a
            // retry); 502-504 come from whatever stands in front of a busy or restarting server.
            let text = String(decoding: body.prefix(300), as: UTF8.self)
            return ComfyUIError(
                .comfyUIRejected, "ComfyUI answered \(status) to the prompt: \(text)", retriable: status > 500,
                httpStatus: status)
        }
        if let failure = failure(nodeErrors: json["node_errors"]) {
            var failure = failure
            failure.httpStatus = status
            return failure
        }
        let error = json["error"]
        let type = error?["type"]?.stringValue ?? ""
        let message = [error?["message"]?.stringValue ?? error?.stringValue, error?["details"]?.stringValue]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        let text = message.isEmpty ? "ComfyUI refused the prompt (\(status))" : message
        switch type {
        case "invalid_prompt":
            return ComfyUIError(.comfyUIInvalidPrompt, text, retriable: false, nodeID: nodeID(inDetails: error), httpStatus: status)
        case "prompt_no_outputs":
            return ComfyUIError(.comfyUINoOutputs, text, retriable: false, httpStatus: status)
        case "prompt_outputs_failed_validation":
            return ComfyUIError(.comfyUIValidationFailed, text, retriable: false, httpStatus: status)
        default:
            return ComfyUIError(
                .comfyUIRejected, type.isEmpty ? text : "\(type): \(text)", retriable: status > 500,
                httpStatus: status)
        }
    }

    /// The error for a non-empty `node_errors` object, nil for an empty one (or `[]`, what
    /// ComfyUI sends with some refusals). The node reported first is the lowest id, so the same
    /// refusal always reads the same.
    public static func failure(nodeErrors: JSONValue?) -> ComfyUIError? {
        guard let nodes = nodeErrors?.objectValue, !nodes.isEmpty else { return nil }
        let ordered = nodes.keys.sorted { lhs, rhs in
            if let l = Int(lhs), let r = Int(rhs) { return l < r }
            return lhs < rhs
        }
        var firstReason: (node: String, classType: String, reason: JSONValue)?
        for node in ordered {
            let entry = nodes[node]
            let classType = entry?["class_type"]?.stringValue ?? "?"
            for reason in entry?["errors"]?.arrayValue ?? [] {
                if isMissingModel(reason) {
                    let input = inputName(of: reason) ?? "?"
                    let value = reason["extra_info"]?["received_value"]?.stringValue.map { " '\($0)'" } ?? ""
                    return ComfyUIError(
                        .comfyUIMissingModel,
                        "node \(node) (\(classType)): model file\(value) for input \(input) is not on this box",
                        retriable: false, nodeID: node, inputName: input)
                }
                if firstReason == nil { firstReason = (node, classType, reason) }
            }
        }
        guard let (node, classType, reason) = firstReason else {
            let node = ordered[0]
            let classType = nodes[node]?["class_type"]?.stringValue ?? "?"
            return ComfyUIError(
                .comfyUIValidationFailed, "node \(node) (\(classType)) failed validation", retriable: false, nodeID: node)
        }
        let input = inputName(of: reason)
        let type = reason["type"]?.stringValue ?? "invalid"
        let text = [reason["message"]?.stringValue, reason["details"]?.stringValue]
            .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        var message = "node \(node) (\(classType))"
        if let input { message += " input \(input)" }
        message += ": \(type)"
        if !text.isEmpty { message += " (\(text))" }
        if nodes.count > 1 { message += "; \(nodes.count - 1) more node(s) with errors" }
        return ComfyUIError(.comfyUIValidationFailed, message, retriable: false, nodeID: node, inputName: input)
    }

    static func isMissingModel(_ reason: JSONValue) -> Bool {
        guard reason["type"]?.stringValue == "value_not_in_list" else { return false }
        if let input = inputName(of: reason), modelInputNames.contains(input) { return true }
        if let value = reason["extra_info"]?["received_value"]?.stringValue?.lowercased() {
            return modelExtensions.contains { value.hasSuffix($0) }
        }
        return false
    }

    /// `extra_info.input_name`, else the `name:` that starts ComfyUI's `details`.
    static func inputName(of reason: JSONValue) -> String? {
        if let name = reason["extra_info"]?["input_name"]?.stringValue, !name.isEmpty { return name }
        guard let details = reason["details"]?.stringValue, let colon = details.firstIndex(of: ":") else { return nil }
        let name = details[..<colon].trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        return String(name)
    }

    /// `invalid_prompt` names the node in `details` as "Node ID '#7'".
    static func nodeID(inDetails error: JSONValue?) -> String? {
        guard let details = error?["details"]?.stringValue, let hash = details.firstIndex(of: "#") else { return nil }
        let id = details[details.index(after: hash)...].prefix { $0 != "'" && $0 != " " }
        return id.isEmpty ? nil : String(id)
    }
}
