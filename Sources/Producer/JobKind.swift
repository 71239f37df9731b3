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

    public static let dreamWeaverRender = JobKind(name: "dream_weaver.render", queue: "media")
    public static let llmChat = JobKind(name: "llm.chat", queue: "llm", defaultPriority: 500)
    public static let llmBatch = JobKind(name: "llm.batch", queue: "llm", defaultPriority: -500)
    public static let qdScore = JobKind(name: "qd.score", queue: "llm")
    public static let oracleSyntheticTemplate = JobKind(name: "oracle.synthetic_template", queue: "llm")
    public static let crmImport = JobKind(name: "crm.import", queue: "cpu")
}

/// The kinds a producer accepts; anything else is refused before anything is stored.
public struct JobKindRegistry: Sendable {
    private var kinds: [String: JobKind]

    public init(_ kinds: [JobKind]) {
        self.kinds = Dictionary(kinds.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    public static let standard = JobKindRegistry([
        .dreamWeaverRender, .llmChat, .llmBatch, .qdScore, .oracleSyntheticTemplate, .crmImport,
    ])

    public func kind(named name: String) -> JobKind? { kinds[name] }

    public var names: [String] { kinds.keys.sorted() }

    /// The queues these kinds run on, sorted.
    public var queues: [String] { Set(kinds.values.map(\.queue)).sorted() }

    public mutating func register(_ kind: JobKind) { kinds[kind.name] = kind }
}
