public import GPUBox
public import ServiceLifecycle

/// Builds the workers of a lane once its backend passed its health check. The agent owns
/// their lifecycle: graceful shutdown to drain (finish running jobs, take no more), task
/// cancellation past the drain deadline (give running jobs back unspent).
public struct WorkerFactory: Sendable {
    /// What a lane's workers need to know.
    public struct Lane: Sendable {
        public var name: String
        /// The backend's base URL, e.g. `http://127.0.0.1:8188`.
        public var baseURL: String
        public var gpus: [GPUInfo]
        /// Unique per lane and start, for the broker's worker ids.
        public var workerID: String
        /// The model name the LLM server serves, read from its `/v1/models` by the health
        /// check (LLM lanes).
        public var model: String
        /// Where the workers report their jobs and a backend that stopped answering.
        public var activity: WorkerActivitySink
        /// Marked when the backend process exits, before the workers are cancelled.
        public var lifeline: BackendLifeline
    }

    public var media: @Sendable (Lane) throws -> [any Service]
    public var llm: @Sendable (Lane) throws -> [any Service]

    public init(
        media: @escaping @Sendable (Lane) throws -> [any Service], llm: @escaping @Sendable (Lane) throws -> [any Service]
    ) {
        self.media = media
        self.llm = llm
    }
}
