public import StructuredOutput
import VelocityTypes

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

    /// The answer schema for a packet of `readings` readings: `evidence` items bounded by the
    /// last reading's number, so a server that decodes to the schema cannot cite one that does
    /// not exist (and the check refuses an answer that does).
    public func schema(forReadings readings: Int) throws -> OutputSchema {
        guard case .object(var root) = schema.schema, case .object(var properties)? = root["properties"],
            case .object(var evidence)? = properties["evidence"], case .object(var items)? = evidence["items"]
        else { return schema }
        items["maximum"] = .int(Int64(max(0, readings - 1)))
        evidence["items"] = .object(items)
        properties["evidence"] = .object(evidence)
        root["properties"] = .object(properties)
        return try OutputSchema(name: schema.name, schema: .object(root), mode: schema.mode)
    }

    /// Reads `<directory>/qd_score.md`.
    public static func load(from directory: String, mode: OutputSchema.RequestMode = .jsonSchema) throws -> QDScorePrompt {
        try QDScorePrompt(template: PromptTemplate.load(named: "qd_score", in: directory), mode: mode)
    }
}
