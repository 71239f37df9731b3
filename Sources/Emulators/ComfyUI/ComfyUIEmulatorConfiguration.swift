/// How a `ComfyUIEmulator` presents itself: where it listens, its folders, its models, its
/// emulated GPU and how long a render takes. Defaults describe one NVIDIA L4.
public struct ComfyUIEmulatorConfiguration: Sendable {
    /// The emulated CUDA device `/system_stats` reports.
    public struct Device: Sendable, Equatable {
        /// The torch device name after `cuda:N`, e.g. "NVIDIA L4".
        public var name = "NVIDIA L4"
        /// `--cuda-device`: the index in `cuda:N` (ComfyUI sees one device, so usually 0).
        public var index = 0
        public var vramTotalBytes: Int64 = 23_580_639_232
        /// VRAM a loaded checkpoint occupies; `/system_stats` shows it used while loaded.
        public var modelVRAMBytes: Int64 = 6_938_041_856
        /// VRAM a render needs besides its model (activations, VAE decode): checkpoints stay
        /// loaded, least recently used first out, while they fit beside it — at least one.
        /// 12 GiB (SDXL img2img at 1024 px) leaves room for one checkpoint on an L4.
        public var workingVRAMBytes: Int64 = 0
        public var allocatorBackend = "cudaMallocAsync"

        public init() {}

        /// How many checkpoints stay loaded at once.
        public var modelCapacity: Int {
            max(1, Int((vramTotalBytes - workingVRAMBytes) / max(modelVRAMBytes, 1)))
        }
    }

    /// What a `crash` fault does.
    public enum CrashBehaviour: Sendable, Equatable {
        /// In-process: the server stops answering and closes its connections; `run()` throws.
        case stopServing
        /// As a process: exit immediately with this status, as a killed ComfyUI would.
        case exitProcess(code: Int32)
    }

    /// `--listen`.
    public var host = "127.0.0.1"
    /// `--port`; 0 binds a free port (read it with `waitUntilListening()`).
    public var port = 8188
    public var inputDirectory: String
    public var outputDirectory: String
    /// Wiped when the emulator starts, as ComfyUI wipes its temp directory.
    public var tempDirectory: String
    /// Checkpoint file names offered even without files (`ckpt_name` choices), merged with
    /// the files found in `modelFolders`.
    public var checkpoints: [String] = []
    /// LoRA file names offered even without files.
    public var loras: [String] = []
    /// Model folders by ComfyUI folder name (`checkpoints`, `loras`), as
    /// `--extra-model-paths-config` and the models directory add them.
    public var modelFolders: [String: [String]] = [:]
    /// Total KSampler time for one render, split evenly over its steps.
    public var renderSeconds: Double = 2
    /// Spread of render times: each prompt's KSampler time is `renderSeconds` × a log-normal
    /// factor of this sigma (median 1), drawn from the sampler's seed, so the same job takes the
    /// same time on every emulator and in every run. 0: every render takes `renderSeconds`.
    public var renderSecondsSpread: Double = 0
    /// Time to load a checkpoint that is not loaded (first use, evicted, after `/free`).
    public var modelLoadSeconds: Double = 0
    /// What moving a file to and from the backend costs: `POST /upload/image` answers after
    /// the body's bytes ÷ this, `GET /view` after the file's bytes ÷ `downloadBytesPerSecond`
    /// (0: no cost beyond loopback's).
    public var uploadBytesPerSecond: Double = 0
    public var downloadBytesPerSecond: Double = 0
    /// Sizes of saved images: each PNG SaveImage writes is padded (a private ancillary chunk
    /// decoders skip) to a size drawn from this range by the sampler's seed, as a 1024-px
    /// photoreal render weighs 2-6 MB while the emulator's pictures are small. Nil: as encoded.
    public var outputBytes: ClosedRange<Int>?
    /// Whether KSampler reports each step (`progress` messages), as ComfyUI's sampler does; off
    /// it behaves like custom nodes that report nothing until they finish.
    public var stepProgress = true
    public var device = Device()
    public var ramTotalBytes: Int64 = 67_430_400_000
    /// RAM free at start; `memoryGrowthBytesPerPrompt` of the faults lowers it per prompt run.
    public var ramFreeBytes: Int64 = 51_539_607_552
    /// `system.comfyui_version`.
    public var comfyUIVersion = "0.8.2"
    /// `system.argv`.
    public var argv: [String] = ["main.py"]
    /// `--max-upload-size` in bytes (ComfyUI's default is 100 MB).
    public var maxUploadBytes = 100 * 1024 * 1024
    /// Newer ComfyUI builds refuse a client `prompt_id` that is not a canonical lowercase UUID
    /// (400 `invalid_prompt_id`); older ones take any string.
    public var requiresUUIDPromptIDs = true
    /// Answer 409 `{"error": "prompt_id already exists"}` for a `prompt_id` that is queued,
    /// running or in history. Stock ComfyUI queues the duplicate and overwrites its history
    /// entry; set false to get that.
    public var rejectsDuplicatePromptIDs = true
    /// ComfyUI's output cache (off is `--cache-none`): unchanged nodes of the previous prompt
    /// are not run again and show in `execution_cached`.
    public var cacheEnabled = true
    /// Faults active from the start; `POST /emulator/faults` changes them at runtime.
    public var faults = ComfyUIFaults()
    public var crashBehaviour = CrashBehaviour.stopServing

    public init(inputDirectory: String, outputDirectory: String, tempDirectory: String) {
        self.inputDirectory = inputDirectory
        self.outputDirectory = outputDirectory
        self.tempDirectory = tempDirectory
    }

    /// Input, output and temp directories under `root` (`root/input`, `root/output`, `root/temp`).
    public init(root: String) {
        self.init(inputDirectory: root + "/input", outputDirectory: root + "/output", tempDirectory: root + "/temp")
    }

    /// Adds the folders of an `--extra-model-paths-config` file.
    public mutating func add(_ paths: ComfyUIExtraModelPaths) {
        for (folder, directories) in paths.folders {
            modelFolders[folder, default: []].append(contentsOf: directories)
        }
    }
}
