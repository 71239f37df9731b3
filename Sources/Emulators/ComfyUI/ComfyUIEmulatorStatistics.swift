/// What an emulator's GPU did so far, for benchmarks that compare how workers use it: the
/// real ComfyUI has no such route, so this is read in-process only.
public struct ComfyUIEmulatorStatistics: Sendable, Equatable {
    /// Checkpoints loaded into VRAM (first use or after an eviction).
    public var modelLoads = 0
    /// KSampler runs that finished sampling, and their sampling time in seconds as drawn (the
    /// same on every run of the same jobs).
    public var renders = 0
    public var renderSeconds = 0.0
    /// The same renders' sampling as it took on this machine's clock (the drawn time plus the
    /// timers' lateness over the steps): the time the emulated GPU was busy rendering.
    public var busySeconds = 0.0
    /// Seconds spent loading checkpoints (the emulated load time, as it took).
    public var modelLoadSeconds = 0.0
    /// Prompts executed to their history entry, and the executor's time on them (from
    /// `execution_start` to the entry): beyond the sampling and the loads, what a prompt's
    /// other nodes (decoding the photo, saving the PNG) cost the GPU's queue. The rest of the
    /// wall time the executor waited for a prompt.
    public var prompts = 0
    public var promptSeconds = 0.0
    /// When the last prompt reached its history entry.
    public var lastPromptEnded: ContinuousClock.Instant?
    /// Held now, least recently used first.
    public var loadedModels: [String] = []

    public init() {}
}
