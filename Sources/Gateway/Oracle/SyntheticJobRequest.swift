import JobContracts
import JSONSchema
import VelocityTypes

/// The body of `POST /api/oracle/component-templates/synthetic-jobs`: a component template's
/// JSON Schema and how many examples of it to generate.
struct SyntheticJobRequest: Decodable, Sendable {
    var template_id: String
    /// The component's JSON Schema (draft 2020-12); every example must fit it.
    var schema: JSONValue
    var count: Int
    /// Few-shot examples shown to the model; each must fit the schema.
    var examples: [JSONValue]?
    /// Sampling temperature, 0–2; 0.9 by default, for variety.
    var temperature: Double?

    static let maxExamples = 20
    static let maxSchemaBytes = 64 * 1024

    /// Checks every rule; the first broken one is a 422 naming its field, and nothing is stored.
    func validated() throws -> (examples: [JSONValue], temperature: Double) {
        guard OracleSyntheticTemplate.isTemplateID(template_id) else {
            throw GatewayError.invalid(field: "template_id", "must be 1 to 64 lowercase letters, digits, '_' or '-'")
        }
        guard (1...OracleSyntheticTemplate.maxCount).contains(count) else {
            throw GatewayError.invalid(field: "count", "must be from 1 to \(OracleSyntheticTemplate.maxCount), got \(count)")
        }
        let temperature = temperature ?? 0.9
        guard temperature.isFinite, (0...2).contains(temperature) else {
            throw GatewayError.invalid(field: "temperature", "must be a number from 0 to 2")
        }
        guard schema.isObject else { throw GatewayError.invalid(field: "schema", "must be a JSON Schema object") }
        guard schema.jsonBytes.count <= Self.maxSchemaBytes else {
            throw GatewayError.invalid(field: "schema", "must be at most \(Self.maxSchemaBytes) bytes")
        }
        let validator: JSONSchema
        do {
            validator = try JSONSchema(schema)
        } catch {
            throw GatewayError.invalid(field: "schema", "is not a valid JSON Schema: \(error)")
        }
        let examples = examples ?? []
        guard examples.count <= Self.maxExamples else {
            throw GatewayError.invalid(field: "examples", "must hold at most \(Self.maxExamples) examples")
        }
        for (index, example) in examples.enumerated() {
            if let failure = validator.validate(example).first {
                throw GatewayError.invalid(field: "examples.\(index)", "does not fit the schema: \(failure)")
            }
        }
        return (examples, temperature)
    }
}
