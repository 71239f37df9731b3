/// A GPU taken out of service until an operator puts it back: by an operator (`velocity gpu
/// drain`, `POST /v1/gpus/{box}/{index}/drain`) or by the agent on a fatal Xid.
///
/// An operator's drain lets the GPU's running jobs finish (up to the drain deadline) and then
/// stops its backend; a fatal Xid stops it at once, its jobs given back to run elsewhere. Either
/// way the GPU gets no work, across agent restarts, until it is undrained.
public struct GPUDrain: Sendable, Equatable, Codable {
    /// Who asked: `tenant:key-or-subject` for an operator, `agent:xid` for the agent.
    public var requestedBy: String
    /// Redis time of the request, in milliseconds.
    public var requestedAtMilliseconds: Int
    public var reason: String
    /// Stop the backend now, its running jobs given back unspent (a hardware fault), instead of
    /// letting them finish.
    public var immediate: Bool

    public init(requestedBy: String, requestedAtMilliseconds: Int, reason: String, immediate: Bool) {
        self.requestedBy = requestedBy
        self.requestedAtMilliseconds = requestedAtMilliseconds
        self.reason = reason
        self.immediate = immediate
    }

    enum CodingKeys: String, CodingKey {
        case reason, immediate
        case requestedBy = "requested_by"
        case requestedAtMilliseconds = "requested_at_ms"
    }
}
