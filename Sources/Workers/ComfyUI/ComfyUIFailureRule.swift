public import Broker

/// One row of the table that sorts ComfyUI's `execution_error`s into those another attempt may
/// cure (retriable) and those the same prompt will raise again wherever it runs (final).
///
/// A node that raised tells its exception's Python type (`exception_type`, `full_type_name`:
/// `OSError`, `torch.OutOfMemoryError`, `PIL.UnidentifiedImageError`) and message. Out of
/// memory and CUDA faults belong to the GPU, not the job: retried, on another GPU if this one
/// is busy. An unreadable input, a failed validation, a node or a model that is not there
/// belong to the job: three attempts on three GPUs would fail three times. A type the table
/// does not know is retried, the cautious choice for an error never seen.
public struct ComfyUIFailureRule: Sendable {
    public var name: String
    public var code: VelocityErrorCode
    public var retriable: Bool
    let matches: @Sendable (ComfyUIExecutionFailure) -> Bool

    /// The rows, first match wins.
    public static let table: [ComfyUIFailureRule] = [
        ComfyUIFailureRule(name: "out of memory", code: .comfyUIOutOfMemory, retriable: true) { failure in
            ["torch.OutOfMemoryError", "torch.cuda.OutOfMemoryError", "MemoryError"].contains(failure.type)
                || failure.text.contains("out of memory")
        },
        ComfyUIFailureRule(name: "GPU fault", code: .comfyUIGPUError, retriable: true) { failure in
            ["torch.AcceleratorError", "torch.cuda.CudaError"].contains(failure.type)
                || (failure.type == "RuntimeError"
                    && ["cuda error", "cudnn", "cublas", "illegal memory access", "device-side assert"].contains {
                        failure.text.contains($0)
                    })
        },
        ComfyUIFailureRule(name: "validation", code: .comfyUIValidationFailed, retriable: false) { failure in
            failure.type.hasSuffix("ValidationError")
                || [
                    "custom_validation_failed", "value_not_in_list", "value not in list", "required input is missing",
                    "failed to validate",
                ].contains { failure.text.contains($0) }
        },
        ComfyUIFailureRule(name: "missing node", code: .comfyUIMissingNode, retriable: false) { failure in
            // NODE_CLASS_MAPPINGS[class_type] raising KeyError('<class_type>'), or a node pack's
            // own report of a node type it cannot find.
            (failure.type == "KeyError" && failure.nodeType.map { failure.message == "'\($0)'" } == true)
                || failure.text.contains("cannot execute because node")
        },
        ComfyUIFailureRule(name: "missing model", code: .comfyUIMissingModel, retriable: false) { failure in
            failure.text.contains("could not detect model type")
                || (failure.type == "FileNotFoundError"
                    && ComfyUIPromptRejection.modelExtensions.contains { failure.text.contains($0) })
        },
        ComfyUIFailureRule(name: "unreadable input", code: .comfyUIInvalidInput, retriable: false) { failure in
            [
                "OSError", "PIL.UnidentifiedImageError", "PIL.Image.DecompressionBombError", "FileNotFoundError",
                "IsADirectoryError", "UnicodeDecodeError",
            ].contains(failure.type)
        },
        ComfyUIFailureRule(name: "node error", code: .comfyUINodeError, retriable: false) { failure in
            [
                "ValueError", "TypeError", "AttributeError", "IndexError", "AssertionError", "ZeroDivisionError",
                "NotImplementedError",
            ].contains(failure.type)
        },
    ]

    /// The row for anything the table does not know.
    public static let unknown = ComfyUIFailureRule(
        name: "unknown", code: .comfyUIExecutionError, retriable: true, matches: { _ in true })

    /// The row that decides `failure`.
    public static func rule(for failure: ComfyUIExecutionFailure) -> ComfyUIFailureRule {
        table.first { $0.matches(failure) } ?? unknown
    }
}

extension ComfyUIExecutionFailure {
    fileprivate var type: String { exceptionType ?? "" }
    fileprivate var message: String { exceptionMessage ?? "" }
    /// The message, lowercased, for the rows that match on words.
    fileprivate var text: String { message.lowercased() }

    /// What the job's attempt ends with: the table's code and retriability, the summary as message.
    public var jobFailure: JobFailure {
        let rule = ComfyUIFailureRule.rule(for: self)
        return JobFailure(code: rule.code.rawValue, message: summary, retriable: rule.retriable)
    }
}

extension VelocityErrorCode {
    /// `execution_error` out of GPU (or host) memory: retried, the next attempt starts cold.
    public static let comfyUIOutOfMemory: Self = "comfyui_out_of_memory"
    /// `execution_error` from a CUDA fault (illegal access, cuDNN, cuBLAS): retried elsewhere.
    public static let comfyUIGPUError: Self = "comfyui_gpu_error"
    /// `execution_error` reading the job's input (an image ComfyUI cannot open): final.
    public static let comfyUIInvalidInput: Self = "comfyui_invalid_input"
    /// `execution_error` for a node type this ComfyUI does not have: final.
    public static let comfyUIMissingNode: Self = "comfyui_missing_node"
    /// `execution_error` a node raises for its inputs (ValueError, TypeError…): final.
    public static let comfyUINodeError: Self = "comfyui_node_error"
}
