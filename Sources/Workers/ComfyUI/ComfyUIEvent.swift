import VelocityTypes
/// One JSON message of ComfyUI's `/ws` (`{"type", "data"}`), the kinds completion tracking
/// reads. Binary frames (previews) are not events.
public enum ComfyUIEvent: Sendable, Equatable {
    /// Queue size; sent on connect (with the session id) and when the queue changes.
    case status(queueRemaining: Int?)
    case executionStart(promptID: String)
    case executionCached(promptID: String, nodes: [String])
    /// A node started; `node == nil` marks the end of the prompt. On a reconnect ComfyUI sends
    /// the running node without a prompt id.
    case executing(promptID: String?, node: String?)
    /// A sampler's step (`value` of `max`).
    case progress(promptID: String?, node: String?, value: Double, max: Double)
    /// Per-node states (newer builds); only a sign of life here.
    case progressState(promptID: String?)
    case executed(promptID: String?, node: String?)
    case executionSuccess(promptID: String)
    case executionError(promptID: String, ComfyUIExecutionFailure)
    case executionInterrupted(promptID: String, nodeID: String?)
    /// Anything else (custom nodes send their own types).
    case other(type: String, promptID: String?)

    /// The prompt the event is about, when it names one.
    public var promptID: String? {
        switch self {
        case .status: nil
        case .executionStart(let id), .executionCached(let id, _), .executionSuccess(let id),
            .executionError(let id, _), .executionInterrupted(let id, _):
            id
        case .executing(let id, _), .progress(let id, _, _, _), .progressState(let id), .executed(let id, _),
            .other(_, let id):
            id
        }
    }

    /// Reads one text frame; nil for one that is not a `{type, data}` object.
    public static func decode(_ text: String) -> ComfyUIEvent? {
        guard let message = try? JSONValue(parsing: Array(text.utf8)), let type = message["type"]?.stringValue else {
            return nil
        }
        let data = message["data"]
        let promptID = data?["prompt_id"]?.stringValue
        switch type {
        case "status":
            let remaining = data?["status"]?["exec_info"]?["queue_remaining"]?.intValue
            return .status(queueRemaining: remaining.map { Int($0) })
        case "execution_start":
            guard let promptID else { return .other(type: type, promptID: nil) }
            return .executionStart(promptID: promptID)
        case "execution_cached":
            guard let promptID else { return .other(type: type, promptID: nil) }
            return .executionCached(promptID: promptID, nodes: (data?["nodes"]?.arrayValue ?? []).compactMap(nodeID))
        case "executing":
            return .executing(promptID: promptID, node: data?["node"].flatMap(nodeID))
        case "progress":
            guard let value = data?["value"]?.doubleValue, let max = data?["max"]?.doubleValue else {
                return .other(type: type, promptID: promptID)
            }
            return .progress(promptID: promptID, node: data?["node"].flatMap(nodeID), value: value, max: max)
        case "progress_state":
            return .progressState(promptID: promptID)
        case "executed":
            return .executed(promptID: promptID, node: data?["node"].flatMap(nodeID))
        case "execution_success":
            guard let promptID else { return .other(type: type, promptID: nil) }
            return .executionSuccess(promptID: promptID)
        case "execution_error":
            guard let promptID else { return .other(type: type, promptID: nil) }
            return .executionError(promptID: promptID, ComfyUIExecutionFailure(data))
        case "execution_interrupted":
            guard let promptID else { return .other(type: type, promptID: nil) }
            return .executionInterrupted(promptID: promptID, nodeID: data?["node_id"].flatMap(nodeID))
        default:
            return .other(type: type, promptID: promptID)
        }
    }

    /// Node ids are strings in the API format; some builds send numbers.
    private static func nodeID(_ value: JSONValue) -> String? {
        if let text = value.stringValue { return text }
        if let number = value.intValue { return String(number) }
        return nil
    }
}
