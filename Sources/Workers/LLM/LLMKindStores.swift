public import PlatformStore

/// What the LLM kinds beyond chats and batch lines need from their host: the tables they
/// write and the prompts they send. A host that has them (the box agent, `velocity dev`)
/// routes `qd.score` and `oracle.synthetic_template` to the dispatcher with `routes`.
public struct LLMKindStores: Sendable {
    public let qdScores: QDScoreStore
    public let syntheticJobs: SyntheticJobStore
    public let qdPrompt: QDScorePrompt

    public init(qdScores: QDScoreStore, syntheticJobs: SyntheticJobStore, qdPrompt: QDScorePrompt) {
        self.qdScores = qdScores
        self.syntheticJobs = syntheticJobs
        self.qdPrompt = qdPrompt
    }

    /// Chats and batch lines, then QD scores and synthetic lines, all through `completions`.
    public func routes(_ completions: LLMCompletions, workerID: String) -> JobRouter {
        var router = LLMDispatcher.standardRoutes(completions)
        let structured = StructuredCompletion(completions: completions)
        router.register(QDScoreProcessor(structured: structured, prompt: qdPrompt, store: qdScores, workerID: workerID))
        router.register(SyntheticExampleProcessor(structured: structured, store: syntheticJobs))
        return router
    }
}
