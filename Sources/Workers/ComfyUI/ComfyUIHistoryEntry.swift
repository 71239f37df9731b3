public import VelocityTypes
/// A file ComfyUI holds: what `/upload/image` answers and what a SaveImage output lists, and
/// what `/view` takes.
public struct ComfyUIFileRef: Sendable, Equatable, Hashable {
    public var filename: String
    public var subfolder: String
    /// `input`, `output` or `temp`.
    public var type: String

    public init(filename: String, subfolder: String = "", type: String) {
        self.filename = filename
        self.subfolder = subfolder
        self.type = type
    }
}

/// How a prompt ended, as its history entry says.
public enum ComfyUIPromptEnd: Sendable, Equatable {
    case succeeded
    /// `execution_error`: a node raised.
    case failed(ComfyUIExecutionFailure)
    /// `execution_interrupted`, by `/interrupt` or a restart of the executor.
    case interrupted(nodeID: String?)
}

/// What ComfyUI says of a node that raised (`execution_error`'s data).
public struct ComfyUIExecutionFailure: Sendable, Equatable {
    public var nodeID: String?
    public var nodeType: String?
    public var exceptionType: String?
    public var exceptionMessage: String?

    public init(nodeID: String? = nil, nodeType: String? = nil, exceptionType: String? = nil, exceptionMessage: String? = nil) {
        self.nodeID = nodeID
        self.nodeType = nodeType
        self.exceptionType = exceptionType
        self.exceptionMessage = exceptionMessage
    }

    init(_ data: JSONValue?) {
        nodeID = data?["node_id"]?.stringValue
        nodeType = data?["node_type"]?.stringValue
        exceptionType = data?["exception_type"]?.stringValue
        exceptionMessage = data?["exception_message"]?.stringValue
    }

    public var summary: String {
        var text = "node \(nodeID ?? "?") (\(nodeType ?? "?")) raised"
        if let exceptionType { text += " \(exceptionType)" }
        if let exceptionMessage { text += ": \(exceptionMessage)" }
        return text
    }
}

/// One entry of `GET /history/{prompt_id}`: present only once the prompt finished.
///
/// `{id: {prompt, outputs: {node_id: {images: [{filename, subfolder, type}]}}, status:
/// {status_str, completed, messages: [[event, data], ...]}, meta}}`. Errors and interrupts
/// both read `status_str: "error"`; the messages tell which.
public struct ComfyUIHistoryEntry: Sendable, Equatable {
    public var promptID: String
    public var end: ComfyUIPromptEnd
    /// Files each output node produced, by node id.
    public var outputs: [String: [ComfyUIFileRef]]

    public init(promptID: String, end: ComfyUIPromptEnd, outputs: [String: [ComfyUIFileRef]] = [:]) {
        self.promptID = promptID
        self.end = end
        self.outputs = outputs
    }

    /// The entry for `promptID` in a `/history/{id}` answer; nil while it is `{}` (not done).
    public static func parse(_ response: JSONValue, promptID: String) throws -> ComfyUIHistoryEntry? {
        guard let entries = response.objectValue else {
            throw ComfyUIError(.comfyUIProtocolError, "/history answered a \(response.typeName), not an object", retriable: true)
        }
        guard let entry = entries[promptID] else { return nil }
        var outputs: [String: [ComfyUIFileRef]] = [:]
        for (node, output) in entry["outputs"]?.objectValue ?? [:] {
            let files = (output["images"]?.arrayValue ?? []).compactMap { image -> ComfyUIFileRef? in
                guard let name = image["filename"]?.stringValue else { return nil }
                return ComfyUIFileRef(
                    filename: name, subfolder: image["subfolder"]?.stringValue ?? "",
                    type: image["type"]?.stringValue ?? "output")
            }
            if !files.isEmpty { outputs[node] = files }
        }
        return ComfyUIHistoryEntry(promptID: promptID, end: end(of: entry["status"]), outputs: outputs)
    }

    static func end(of status: JSONValue?) -> ComfyUIPromptEnd {
        // Builds older than the status field recorded only successes.
        guard let status, !status.isNull else { return .succeeded }
        let messages = (status["messages"]?.arrayValue ?? []).compactMap { message -> (String, JSONValue?)? in
            guard let pair = message.arrayValue, let event = pair.first?.stringValue else { return nil }
            return (event, pair.count > 1 ? pair[1] : nil)
        }
        if let (_, data) = messages.last(where: { $0.0 == "execution_interrupted" }) {
            return .interrupted(nodeID: data?["node_id"]?.stringValue)
        }
        if let (_, data) = messages.last(where: { $0.0 == "execution_error" }) {
            return .failed(ComfyUIExecutionFailure(data))
        }
        if status["status_str"]?.stringValue == "error" || status["completed"]?.boolValue == false {
            return .failed(ComfyUIExecutionFailure(exceptionMessage: "ComfyUI recorded an error without details"))
        }
        return .succeeded
    }
}
