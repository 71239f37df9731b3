public import GPUBox

/// How a box agent runs its box. Decoded from the agent's YAML file (snake_case keys); every
/// field has a default that suits one box of emulated GPUs, so a file only names what differs.
public struct AgentConfiguration: Sendable, Codable, Equatable {
    /// The box's id in Redis, `GET /v1/gpus` and the audit trail.
    public var box: String = "box-1"
    /// The mode to start in when no operator asked for one.
    public var initialMode: BoxMode = .media
    /// The `nvidia-smi` command line before its query arguments; `["velocity", "emulator",
    /// "nvidia-smi"]` in development.
    public var nvidiaSmi: [String] = ["nvidia-smi"]
    /// One ComfyUI per media GPU.
    public var comfyUI: BackendCommand = BackendCommand(
        command: [
            "python3", "main.py", "--listen", "127.0.0.1", "--port", "{port}", "--input-directory", "{input_dir}",
            "--output-directory", "{output_dir}", "--temp-directory", "{temp_dir}",
            "--extra-model-paths-config", "{extra_model_paths}",
        ],
        environment: ["CUDA_VISIBLE_DEVICES": "{gpu_uuid}"])
    /// First port of the ComfyUI instances; GPU i listens on `comfyUIBasePort + i`.
    public var comfyUIBasePort: Int = 8188
    /// The LLM server over the mode's LLM GPUs.
    public var llm: BackendCommand = BackendCommand(
        command: [
            "python3", "-m", "sglang.launch_server", "--model-path", "{model_path}", "--host", "127.0.0.1",
            "--port", "{port}", "--tp", "{tp}", "--base-gpu-id", "{base_gpu_id}", "--enable-metrics",
        ])
    public var llmPort: Int = 30000
    /// The model name sent to the LLM server. Nil: whichever the server serves (the first of
    /// its `/v1/models`). Set: it must be among those, or the backend fails its health check
    /// saying what the server serves instead.
    public var llmModel: String? = nil
    /// Where backends keep their files: `<work_dir>/comfyui-<gpu>/{input,output,temp}`, logs.
    public var workDirectory: String = "/var/lib/velocity/agent"
    /// The hydrated model store; nil skips hydration (the models are managed another way).
    public var hydration: HydrationSettings? = nil
    /// How often the agent publishes its status and reads the desired mode.
    public var tickMilliseconds: Int = 500
    /// How often it re-reads nvidia-smi.
    public var inventoryIntervalMilliseconds: Int = 5000
    /// How often the autopilot, when an operator turned it on, reads the demand and decides.
    public var autopilotIntervalMilliseconds: Int = 2000
    /// How long an interactive render or chat submitted now may wait to start on this box: the
    /// mode advice (and so the autopilot) prefers a mode that meets them. Published with the
    /// box's status, so the gateway's advice for the box uses them too.
    public var modeTargets = ModeAdvisor.Targets()
    /// How long a drain waits for running jobs before giving them back unspent.
    public var drainDeadlineSeconds: Double = 60
    /// How long a backend may take from start to a passing health check.
    public var readinessTimeoutSeconds: Double = 300
    /// Restarts after a crash back off from 1 s doubling up to this.
    public var maxRestartBackoffSeconds: Double = 30
    /// A backend that failed this many starts in a row is given up on (its GPU marked unhealthy).
    public var maxConsecutiveStartFailures: Int = 5
    /// Restart a ComfyUI after this many jobs (its host memory grows per run); 0 never.
    public var recycleAfterJobs: Int = 500
    /// Restart a ComfyUI whose host memory use grew past this many MiB since it started; 0 never.
    public var recycleAfterMemoryGrowthMiB: Int = 8192
    /// The kernel log followed for NVIDIA Xid errors: `/dev/kmsg`, or a file something appends
    /// kernel lines to (`journalctl -k -f -o short > file`); empty turns it off.
    public var kernelLog: String = "/dev/kmsg"
    /// The Xids that take a GPU out of service until an operator undrains it.
    public var fatalXids: [Int] = XidEvent.fatalCodes.sorted()

    public struct HydrationSettings: Sendable, Codable, Equatable {
        /// The directory of per-mode manifests (`media.yaml`, `llm.yaml`, `split.yaml`).
        public var manifests: String
        /// The NVMe root of the content-addressed store.
        public var root: String

        public init(manifests: String, root: String) {
            self.manifests = manifests
            self.root = root
        }
    }

    public init() {}

    enum CodingKeys: String, CodingKey {
        case box, hydration, llm
        case initialMode = "initial_mode"
        case nvidiaSmi = "nvidia_smi"
        case comfyUI = "comfyui"
        case comfyUIBasePort = "comfyui_base_port"
        case llmPort = "llm_port"
        case llmModel = "llm_model"
        case workDirectory = "work_directory"
        case tickMilliseconds = "tick_ms"
        case inventoryIntervalMilliseconds = "inventory_interval_ms"
        case autopilotIntervalMilliseconds = "autopilot_interval_ms"
        case modeTargets = "mode_targets"
        case drainDeadlineSeconds = "drain_deadline_seconds"
        case readinessTimeoutSeconds = "readiness_timeout_seconds"
        case maxRestartBackoffSeconds = "max_restart_backoff_seconds"
        case maxConsecutiveStartFailures = "max_consecutive_start_failures"
        case recycleAfterJobs = "recycle_after_jobs"
        case recycleAfterMemoryGrowthMiB = "recycle_after_memory_growth_mib"
        case kernelLog = "kernel_log"
        case fatalXids = "fatal_xids"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = AgentConfiguration()
        box = try c.decodeIfPresent(String.self, forKey: .box) ?? d.box
        initialMode = try c.decodeIfPresent(BoxMode.self, forKey: .initialMode) ?? d.initialMode
        nvidiaSmi = try c.decodeIfPresent([String].self, forKey: .nvidiaSmi) ?? d.nvidiaSmi
        comfyUI = try c.decodeIfPresent(BackendCommand.self, forKey: .comfyUI) ?? d.comfyUI
        comfyUIBasePort = try c.decodeIfPresent(Int.self, forKey: .comfyUIBasePort) ?? d.comfyUIBasePort
        llm = try c.decodeIfPresent(BackendCommand.self, forKey: .llm) ?? d.llm
        llmPort = try c.decodeIfPresent(Int.self, forKey: .llmPort) ?? d.llmPort
        llmModel = try c.decodeIfPresent(String.self, forKey: .llmModel)
        workDirectory = try c.decodeIfPresent(String.self, forKey: .workDirectory) ?? d.workDirectory
        hydration = try c.decodeIfPresent(HydrationSettings.self, forKey: .hydration)
        tickMilliseconds = try c.decodeIfPresent(Int.self, forKey: .tickMilliseconds) ?? d.tickMilliseconds
        inventoryIntervalMilliseconds =
            try c.decodeIfPresent(Int.self, forKey: .inventoryIntervalMilliseconds) ?? d.inventoryIntervalMilliseconds
        autopilotIntervalMilliseconds =
            try c.decodeIfPresent(Int.self, forKey: .autopilotIntervalMilliseconds) ?? d.autopilotIntervalMilliseconds
        modeTargets = try c.decodeIfPresent(ModeAdvisor.Targets.self, forKey: .modeTargets) ?? d.modeTargets
        drainDeadlineSeconds = try c.decodeIfPresent(Double.self, forKey: .drainDeadlineSeconds) ?? d.drainDeadlineSeconds
        readinessTimeoutSeconds =
            try c.decodeIfPresent(Double.self, forKey: .readinessTimeoutSeconds) ?? d.readinessTimeoutSeconds
        maxRestartBackoffSeconds =
            try c.decodeIfPresent(Double.self, forKey: .maxRestartBackoffSeconds) ?? d.maxRestartBackoffSeconds
        maxConsecutiveStartFailures =
            try c.decodeIfPresent(Int.self, forKey: .maxConsecutiveStartFailures) ?? d.maxConsecutiveStartFailures
        recycleAfterJobs = try c.decodeIfPresent(Int.self, forKey: .recycleAfterJobs) ?? d.recycleAfterJobs
        recycleAfterMemoryGrowthMiB =
            try c.decodeIfPresent(Int.self, forKey: .recycleAfterMemoryGrowthMiB) ?? d.recycleAfterMemoryGrowthMiB
        kernelLog = try c.decodeIfPresent(String.self, forKey: .kernelLog) ?? d.kernelLog
        fatalXids = try c.decodeIfPresent([Int].self, forKey: .fatalXids) ?? d.fatalXids
        try validate()
    }

    /// Refuses settings the agent cannot run with, naming the key.
    public func validate() throws(AgentError) {
        func require(_ condition: Bool, _ key: String, _ message: String) throws(AgentError) {
            if !condition { throw AgentError(.invalidConfiguration, "\(key): \(message)") }
        }
        try require(
            !box.isEmpty && box.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." },
            "box", "must be letters, digits, '-', '_' or '.'")
        try require(!nvidiaSmi.isEmpty, "nvidia_smi", "must name a command")
        try require(!comfyUI.command.isEmpty, "comfyui.command", "must name a command")
        try require(!llm.command.isEmpty, "llm.command", "must name a command")
        try require(llmModel.map { !$0.isEmpty } ?? true, "llm_model", "must not be empty (leave it out to use the served name)")
        try require((1...65535).contains(comfyUIBasePort), "comfyui_base_port", "must be a TCP port")
        try require((1...65535).contains(llmPort), "llm_port", "must be a TCP port")
        try require(tickMilliseconds >= 10, "tick_ms", "must be at least 10")
        try require(inventoryIntervalMilliseconds >= 100, "inventory_interval_ms", "must be at least 100")
        try require(autopilotIntervalMilliseconds >= 100, "autopilot_interval_ms", "must be at least 100")
        try require(
            modeTargets.renderWaitSeconds > 0 && modeTargets.renderWaitSeconds.isFinite, "mode_targets.render_wait_seconds",
            "must be a positive number of seconds")
        try require(
            modeTargets.chatWaitSeconds > 0 && modeTargets.chatWaitSeconds.isFinite, "mode_targets.chat_wait_seconds",
            "must be a positive number of seconds")
        try require(drainDeadlineSeconds >= 0, "drain_deadline_seconds", "must not be negative")
        try require(readinessTimeoutSeconds > 0, "readiness_timeout_seconds", "must be positive")
        try require(maxRestartBackoffSeconds >= 0, "max_restart_backoff_seconds", "must not be negative")
        try require(maxConsecutiveStartFailures >= 1, "max_consecutive_start_failures", "must be at least 1")
        try require(recycleAfterJobs >= 0, "recycle_after_jobs", "must not be negative")
        try require(recycleAfterMemoryGrowthMiB >= 0, "recycle_after_memory_growth_mib", "must not be negative")
        try require(fatalXids.allSatisfy { $0 > 0 }, "fatal_xids", "must be positive Xid numbers")
    }
}
