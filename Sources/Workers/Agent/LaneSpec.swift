import GPUBox

/// One backend and the workers it feeds: a ComfyUI on one GPU, or the LLM server over several.
/// Two lanes with equal specs are the same lane, so a mode switch keeps the lanes both modes
/// share running (media → split keeps the ComfyUIs of the media half).
struct LaneSpec: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable {
        case media(gpu: Int)
        case llm(gpus: [Int])
    }

    var kind: Kind
    var port: Int

    var name: String {
        switch kind {
        case .media(let gpu): "comfyui@\(gpu)"
        case .llm: "llm"
        }
    }

    var description: String { name }

    var gpuIndices: [Int] {
        switch kind {
        case .media(let gpu): [gpu]
        case .llm(let gpus): gpus
        }
    }

    var role: String {
        switch kind {
        case .media: "media"
        case .llm: "llm"
        }
    }

    /// The lanes of a layout.
    static func lanes(of layout: BoxLayout, configuration: AgentConfiguration) -> [LaneSpec] {
        var lanes = layout.mediaGPUs.map { LaneSpec(kind: .media(gpu: $0), port: configuration.comfyUIBasePort + $0) }
        if !layout.llmGPUs.isEmpty {
            lanes.append(LaneSpec(kind: .llm(gpus: layout.llmGPUs), port: configuration.llmPort))
        }
        return lanes
    }
}
