/// What a manifest entry is, and so where it goes.
public enum ModelKind: String, Sendable, CaseIterable, Codable {
    case checkpoint
    case lora
    case vae
    case controlnet
    case upscaler
    /// A directory of files (safetensors shards, config, tokenizer) an LLM server loads.
    case llmWeights = "llm_weights"

    /// The first component every destination of this kind must have: ComfyUI's model folder
    /// name (as in its `extra_model_paths.yaml`), or `llm` for LLM weight directories.
    public var folder: String {
        switch self {
        case .checkpoint: "checkpoints"
        case .lora: "loras"
        case .vae: "vae"
        case .controlnet: "controlnet"
        case .upscaler: "upscale_models"
        case .llmWeights: "llm"
        }
    }

    /// ComfyUI's folders, in the order `extra_model_paths.yaml` lists them.
    public static let comfyFolders = ["checkpoints", "loras", "vae", "controlnet", "upscale_models"]
}
