import Testing

@testable import Workers

/// One case per row of ComfyUI's execution-error table, with the exception types and messages
/// ComfyUI and PyTorch really produce.
@Suite("ComfyUI execution errors: retriable or final")
struct ComfyUIFailureRuleTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var rule: String
        var type: String
        var message: String
        var nodeType: String = "KSampler"
        var code: String
        var retriable: Bool
        var testDescription: String { "\(rule): \(type)" }
    }

    static let cases: [Case] = [
        Case(
            rule: "out of memory", type: "torch.OutOfMemoryError",
            message: "CUDA out of memory. Tried to allocate 2.50 GiB. GPU 0 has a total capacity of 21.96 GiB",
            code: "comfyui_out_of_memory", retriable: true),
        Case(
            rule: "out of memory", type: "RuntimeError", message: "MPS backend out of memory (MPS allocated: 17.00 GB)",
            code: "comfyui_out_of_memory", retriable: true),
        Case(
            rule: "GPU fault", type: "RuntimeError",
            message: "CUDA error: an illegal memory access was encountered\nCUDA kernel errors might be asynchronously reported",
            code: "comfyui_gpu_error", retriable: true),
        Case(
            rule: "validation", type: "Exception",
            message: "Prompt outputs failed validation: LoadImage: custom_validation_failed: Invalid image file: room.png",
            nodeType: "LoadImage", code: "comfyui_validation_failed", retriable: false),
        Case(
            rule: "validation", type: "ValueError",
            message: "Value not in list: sampler_name: 'eulerr' not in ['euler', 'dpmpp_2m']",
            code: "comfyui_validation_failed", retriable: false),
        Case(
            rule: "missing node", type: "KeyError", message: "'IPAdapterAdvanced'", nodeType: "IPAdapterAdvanced",
            code: "comfyui_missing_node", retriable: false),
        Case(
            rule: "missing model", type: "FileNotFoundError",
            message: "[Errno 2] No such file or directory: '/models/checkpoints/dreamweaver_staging_xl.safetensors'",
            nodeType: "CheckpointLoaderSimple", code: "comfyui_missing_model", retriable: false),
        Case(
            rule: "missing model", type: "RuntimeError", message: "ERROR: Could not detect model type of: /models/x.safetensors",
            nodeType: "CheckpointLoaderSimple", code: "comfyui_missing_model", retriable: false),
        Case(
            rule: "unreadable input", type: "OSError", message: "image file is truncated (12 bytes not processed)",
            nodeType: "LoadImage", code: "comfyui_invalid_input", retriable: false),
        Case(
            rule: "unreadable input", type: "PIL.UnidentifiedImageError",
            message: "cannot identify image file '/ComfyUI/input/velocity/gpu0-0.png'", nodeType: "LoadImage",
            code: "comfyui_invalid_input", retriable: false),
        Case(
            rule: "node error", type: "TypeError", message: "unsupported operand type(s) for *: 'NoneType' and 'float'",
            code: "comfyui_node_error", retriable: false),
        Case(
            rule: "unknown", type: "comfy_extras.nodes_custom.SamplerAbort", message: "the sampler gave up",
            code: "comfyui_execution_error", retriable: true),
        Case(
            rule: "unknown", type: "RuntimeError", message: "mat1 and mat2 shapes cannot be multiplied (77x768 and 1024x320)",
            code: "comfyui_execution_error", retriable: true),
    ]

    @Test("each exception lands in its row, with its code and retriability", arguments: cases)
    func classify(_ example: Case) {
        let failure = ComfyUIExecutionFailure(
            nodeID: "7", nodeType: example.nodeType, exceptionType: example.type, exceptionMessage: example.message)
        #expect(ComfyUIFailureRule.rule(for: failure).name == example.rule)
        let job = failure.jobFailure
        #expect(job.code == example.code)
        #expect(job.retriable == example.retriable)
        #expect(job.disposition == .error)
        #expect(job.message.contains(example.type) && job.message.contains("node 7"))
    }

    @Test("every row of the table has a case above")
    func everyRowTested() {
        let rows = Set(ComfyUIFailureRule.table.map(\.name) + [ComfyUIFailureRule.unknown.name])
        #expect(Set(Self.cases.map(\.rule)) == rows)
    }
}
