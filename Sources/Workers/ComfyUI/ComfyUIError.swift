public import Broker

/// A failure talking to ComfyUI or reported by it, with a stable code a job's error carries.
///
/// Refusals of the prompt itself (bad graph, failed validation, a missing model) are not
/// retriable: another attempt sends the same prompt. Transport failures and a backend that
/// lost the prompt are retriable, on another GPU if this one stays down.
public struct ComfyUIError: RetriableError {
    public var code: VelocityErrorCode
    public var message: String
    public var retriable: Bool
    /// The node at fault, when ComfyUI named one.
    public var nodeID: String?
    /// The input at fault, when ComfyUI named one.
    public var inputName: String?
    /// The HTTP status of ComfyUI's answer, when it answered.
    public var httpStatus: Int?
    public var cause: (any Error & Sendable)?

    public init(
        _ code: VelocityErrorCode, _ message: String, retriable: Bool, nodeID: String? = nil, inputName: String? = nil,
        httpStatus: Int? = nil, cause: (any Error & Sendable)? = nil
    ) {
        self.code = code
        self.message = message
        self.retriable = retriable
        self.nodeID = nodeID
        self.inputName = inputName
        self.httpStatus = httpStatus
        self.cause = cause
    }

    /// The backend did not answer (refused, timed out, broke the connection) or lost the
    /// prompt: the GPU's ComfyUI is down or restarted, not the job at fault.
    public var isBackendFailure: Bool {
        code == .comfyUIUnreachable || code == .comfyUIPromptLost || code == .comfyUISilent
    }
}

extension VelocityErrorCode {
    /// `invalid_prompt`: the graph names a node type ComfyUI does not have, or is malformed.
    public static let comfyUIInvalidPrompt: Self = "comfyui_invalid_prompt"
    /// `prompt_outputs_failed_validation`, or a 200 whose `node_errors` is not empty: an input
    /// failed validation (the message names the node and input).
    public static let comfyUIValidationFailed: Self = "comfyui_validation_failed"
    /// `value_not_in_list` on a model input: the model file is not on this box.
    public static let comfyUIMissingModel: Self = "comfyui_missing_model"
    /// `prompt_no_outputs`: the graph has no output node.
    public static let comfyUINoOutputs: Self = "comfyui_no_outputs"
    /// Any other refusal of `POST /prompt` (`no_prompt`, an unknown type, a 5xx).
    public static let comfyUIRejected: Self = "comfyui_rejected"
    /// A node raised while executing (`execution_error`) an exception `ComfyUIFailureRule`'s table
    /// does not know: retried.
    public static let comfyUIExecutionError: Self = "comfyui_execution_error"
    /// The prompt was interrupted by someone else than this worker.
    public static let comfyUIInterrupted: Self = "comfyui_interrupted"
    /// ComfyUI did not answer: connection refused, timeout, broken connection.
    public static let comfyUIUnreachable: Self = "comfyui_unreachable"
    /// ComfyUI answers but has the prompt neither queued nor in its history (it restarted).
    public static let comfyUIPromptLost: Self = "comfyui_prompt_lost"
    /// No progress and no result past the silence deadline: the render is stuck.
    public static let comfyUISilent: Self = "comfyui_silent"
    /// ComfyUI answered something this client cannot read (not the documented shape).
    public static let comfyUIProtocolError: Self = "comfyui_protocol_error"
    /// The prompt finished without the image the workflow's output node should have saved.
    public static let comfyUIOutputMissing: Self = "comfyui_output_missing"
    /// The output is not a PNG libpng can decode.
    public static let comfyUIInvalidOutput: Self = "comfyui_invalid_output"
    /// `POST /upload/image` was refused.
    public static let comfyUIUploadFailed: Self = "comfyui_upload_failed"
}
