public import StructuredOutput

/// The `qd_score` prompt template and its compiled answer schema, loaded once at start-up so a
/// broken template stops the worker instead of failing every `qd.score` job.
public struct QDScorePrompt: Sendable {
    public let template: PromptTemplate
    public let schema: OutputSchema

    public init(template: PromptTemplate, mode: OutputSchema.RequestMode = .jsonSchema) throws {
        guard let answerSchema = template.answerSchema else {
            throw PromptTemplateError(.invalidPromptTemplate, "\(template.name) v\(template.version) has no answer schema")
        }
        self.template = template
        self.schema = try OutputSchema(name: "qd_score", schema: answerSchema, mode: mode)
    }

    /// Reads `<directory>/qd_score.md`.
    public static func load(from directory: String, mode: OutputSchema.RequestMode = .jsonSchema) throws -> QDScorePrompt {
        try QDScorePrompt(template: PromptTemplate.load(named: "qd_score", in: directory), mode: mode)
    }
}
