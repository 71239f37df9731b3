/// One step of a mode switch, in the order they run.
public enum ModeSwitchStep: String, Sendable, Codable, CaseIterable {
    /// Stop claiming jobs from the queues the new mode does not serve.
    case stopLeasing = "stop_leasing"
    /// Let in-flight jobs finish; past the deadline, give them back unspent.
    case drain
    /// Free and stop the backends the new mode does not keep.
    case stopBackends = "stop_backends"
    /// Make sure the new mode's models are on local disk, verified.
    case hydrate
    /// Start the new mode's backends.
    case startBackends = "start_backends"
    /// Probe every new backend (ComfyUI: `/system_stats` and a smoke prompt; LLM: `/health`
    /// and a one-token completion).
    case healthCheck = "health_check"
    /// Claim from the new mode's queues.
    case consume
}
