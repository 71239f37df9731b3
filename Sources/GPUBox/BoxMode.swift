/// What the GPU box is for right now.
///
/// - `media`: one ComfyUI per GPU; consumes the media queue.
/// - `llm`: one OpenAI-compatible server over all GPUs (tensor parallel); consumes the llm queue.
/// - `split`: ComfyUI on the first half of the GPUs, the LLM server over the second half
///   (`--tp N/2 --base-gpu-id N/2`); consumes both.
public enum BoxMode: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case media, llm, split

    public var description: String { rawValue }

    /// The queues a box in this mode has capacity for.
    public var queues: [String] {
        switch self {
        case .media: ["media"]
        case .llm: ["llm"]
        case .split: ["media", "llm"]
        }
    }
}
