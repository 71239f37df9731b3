/// What an emulator's GPU did so far, for benchmarks that compare how workers use it: the
/// real ComfyUI has no such route, so this is read in-process only.
public struct ComfyUIEmulatorStatistics: Sendable, Equatable {
    /// Checkpoints loaded into VRAM (first use or after an eviction).
    public var modelLoads = 0
    /// KSampler runs that finished sampling, and their sampling time in seconds: the time the
    /// GPU did useful work.
    public var renders = 0
    public var renderSeconds = 0.0
    /// Held now, least recently used first.
    public var loadedModels: [String] = []

    public init() {}
}
