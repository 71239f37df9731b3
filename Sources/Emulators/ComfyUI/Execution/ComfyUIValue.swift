/// A value flowing along a link between emulated nodes. Models are stand-ins named after
/// their checkpoint; a LATENT carries the image it would encode.
enum ComfyUIValue: Sendable {
    case model(String)
    case clip(String)
    case vae(String)
    case conditioning(String)
    case images([ComfyUIImage])
    case latent([ComfyUIImage])
    case mask(width: Int, height: Int, count: Int)

    /// How `format_value` (`str(x)`) shows the value in an `execution_error`'s `current_inputs`.
    var pythonDescription: String {
        switch self {
        case .model: return "<comfy.model_patcher.ModelPatcher object at 0x7f3c5a1e2d10>"
        case .clip: return "<comfy.sd.CLIP object at 0x7f3c5a1e3f50>"
        case .vae: return "<comfy.sd.VAE object at 0x7f3c5a1e4a90>"
        case .conditioning:
            return
                "[[tensor([[[-0.3884,  0.0229, -0.0522,  ..., -0.4899, -0.3066,  0.0675]]]), {'pooled_output': tensor([[-0.9542,  1.0812, -0.2375,  ...,  0.4713, -0.4026, -0.4921]])}]]"
        case .images(let images):
            let first = images.first
            return "tensor of shape [\(images.count), \(first?.height ?? 0), \(first?.width ?? 0), 3]"
        case .latent(let images):
            let first = images.first
            return "{'samples': tensor of shape [\(images.count), 4, \((first?.height ?? 0) / 8), \((first?.width ?? 0) / 8)]}"
        case .mask(let width, let height, let count): return "tensor of shape [\(count), \(height), \(width)]"
        }
    }
}

/// How a node's run ended other than with outputs.
enum ComfyUINodeStop: Error {
    /// `InterruptProcessingException`: `/interrupt` was seen between nodes or steps.
    case interrupted
    /// A Python exception inside the node.
    case failed(type: String, message: String, traceback: [String])
    /// The `crash` fault: the process is gone.
    case crashed
}

/// What running one node produced: its output slots and its UI dict (`{"images": [...]}`).
struct ComfyUINodeResult: Sendable {
    var outputs: [ComfyUIValue]
    var ui: ComfyJSON.Object?
}
