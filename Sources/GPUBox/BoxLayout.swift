/// Which GPU does what in a mode: the media GPUs each get a ComfyUI, the LLM GPUs share one
/// tensor-parallel server.
public struct BoxLayout: Sendable, Equatable {
    public var mode: BoxMode
    public var mediaGPUs: [Int]
    public var llmGPUs: [Int]

    /// The layout of `mode` over the GPUs with these indices (sorted). Split mode gives the
    /// first half to media and the second half to the LLM server, whose tensor-parallel size
    /// must be a power of two: with an odd count the extra GPU goes to media.
    public init(mode: BoxMode, gpuIndices: [Int]) {
        let sorted = gpuIndices.sorted()
        self.mode = mode
        switch mode {
        case .media:
            mediaGPUs = sorted
            llmGPUs = []
        case .llm:
            mediaGPUs = []
            llmGPUs = Array(sorted.prefix(Self.largestPowerOfTwo(atMost: sorted.count)))
        case .split:
            let llmCount = Self.largestPowerOfTwo(atMost: sorted.count / 2)
            mediaGPUs = Array(sorted.dropLast(llmCount))
            llmGPUs = Array(sorted.suffix(llmCount))
        }
    }

    /// The layout with `gpus` taken out of service and every other GPU keeping its role: media
    /// GPUs lose the removed ones; the LLM server keeps the largest power of two of its GPUs
    /// left. Draining one media GPU of a split box so leaves the LLM server alone.
    public func removing(_ gpus: Set<Int>) -> BoxLayout {
        var layout = self
        layout.mediaGPUs = mediaGPUs.filter { !gpus.contains($0) }
        let llm = llmGPUs.filter { !gpus.contains($0) }
        layout.llmGPUs = Array(llm.prefix(Self.largestPowerOfTwo(atMost: llm.count)))
        return layout
    }

    /// `--tp` for the LLM server.
    public var tensorParallelSize: Int { llmGPUs.count }

    /// `--base-gpu-id` for the LLM server (its first GPU), nil when the mode runs none.
    public var baseGPUID: Int? { llmGPUs.first }

    static func largestPowerOfTwo(atMost count: Int) -> Int {
        guard count > 0 else { return 0 }
        var power = 1
        while power * 2 <= count { power *= 2 }
        return power
    }
}
