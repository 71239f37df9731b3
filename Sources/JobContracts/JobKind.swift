/// A kind of job the platform runs, and the queue (the kind of capacity) it needs.
public struct JobKind: Hashable, Sendable {
    public let name: String
    public let queue: String
    /// The priority of a request of this kind that names none. Kinds sharing a queue rank by
    /// it: interactive `llm.chat` goes ahead of `llm.batch` lines (OpenAI batches promise 24
    /// hours), by `(chat − batch) × aging` of waiting time (1,000 levels: 1,000 s at the
    /// broker's default aging of 1 s per level).
    public let defaultPriority: Int

    public init(name: String, queue: String, defaultPriority: Int = 0) {
        self.name = name
        self.queue = queue
        self.defaultPriority = defaultPriority
    }

    public static let dreamWeaverRender = DreamWeaverRender.kind
    public static let llmChat = LLMChat.kind
    public static let llmBatch = LLMBatchLine.kind
    public static let qdScore = QDScore.kind
    public static let oracleSyntheticTemplate = OracleSyntheticTemplate.kind
    public static let crmImport = CRMImportJob.kind
    /// A contract-less job for a process's own CPU work (the demo's, `velocity worker`'s built-in
    /// handlers): its payload only needs to be a JSON object.
    public static let cpuTask = JobKind(name: "cpu.task", queue: "cpu")
}
