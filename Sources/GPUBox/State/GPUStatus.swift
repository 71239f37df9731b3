/// What one GPU is doing, as the agent publishes it for `GET /v1/gpus`.
public struct GPUStatus: Sendable, Equatable, Codable {
    public enum Health: String, Sendable, Codable {
        case healthy
        /// Finishing its job, taking no new ones (hardware error, backend recycling).
        case draining
        /// Not used: uncorrected ECC errors, lost from the bus, or its backend keeps failing.
        case unhealthy
        /// Out of service until undrained: an operator's drain or a fatal Xid (`drain` says).
        case drained
    }

    public var index: Int
    public var uuid: String
    public var name: String
    /// `media` or `llm` when the mode gives it work, nil when idle.
    public var role: String?
    /// The backend serving it, e.g. `comfyui@0` or `llm`.
    public var backend: String?
    /// The backend's state (`starting`, `ready`, `restarting`, `stopped`, `failed`).
    public var backendState: String?
    /// The backend process's id, while it runs: for `ps`, `kill`, `nvidia-smi`'s process list.
    public var backendPID: Int?
    public var currentJob: String?
    public var utilizationPercent: Int?
    public var memoryUsedMiB: Int?
    public var memoryTotalMiB: Int?
    public var temperatureCelsius: Int?
    public var health: Health
    /// Why it is not healthy.
    public var healthReason: String?
    /// The drain that keeps it out of service, if any.
    public var drain: GPUDrain?
    /// The last lines its backend printed before it last failed to start or crashed, while it
    /// is not serving: why (`Address already in use`, a traceback's last line, a CUDA error).
    public var backendOutput: [String]?
    /// How far its current job is (0…1), as the gateway reads it from the broker for
    /// `GET /v1/gpus`; the agent leaves it out.
    public var currentJobProgress: Double?

    public init(
        index: Int, uuid: String, name: String, role: String? = nil, backend: String? = nil,
        backendState: String? = nil, currentJob: String? = nil, utilizationPercent: Int? = nil,
        memoryUsedMiB: Int? = nil, memoryTotalMiB: Int? = nil, temperatureCelsius: Int? = nil,
        health: Health = .healthy, healthReason: String? = nil
    ) {
        self.index = index
        self.uuid = uuid
        self.name = name
        self.role = role
        self.backend = backend
        self.backendState = backendState
        self.currentJob = currentJob
        self.utilizationPercent = utilizationPercent
        self.memoryUsedMiB = memoryUsedMiB
        self.memoryTotalMiB = memoryTotalMiB
        self.temperatureCelsius = temperatureCelsius
        self.health = health
        self.healthReason = healthReason
    }

    enum CodingKeys: String, CodingKey {
        case index, uuid, name, role, backend, health, drain
        case backendState = "backend_state"
        case backendPID = "backend_pid"
        case currentJob = "current_job"
        case utilizationPercent = "utilization_percent"
        case memoryUsedMiB = "memory_used_mib"
        case memoryTotalMiB = "memory_total_mib"
        case temperatureCelsius = "temperature_celsius"
        case healthReason = "health_reason"
        case backendOutput = "backend_output"
        case currentJobProgress = "current_job_progress"
    }
}
