import JSONSchema
import JobContracts
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
    /// How long its lines may take, as OpenAI batches say it: `"24h"` (the default) or any
    /// whole number of hours from 1 to 168. Its lines run as backfill and are promoted as the
    /// window nears.
    var completion_window: String?

    static let maxExamples = 20
    static let maxSchemaBytes = 64 * 1024

    static let windowHours = 1...168

    /// Checks every rule; the first broken one is a 422 naming its field, and nothing is stored.
    func validated() throws -> (examples: [JSONValue], temperature: Double, windowSeconds: Int) {
        guard OracleSyntheticTemplate.isTemplateID(template_id) else {
            throw GatewayError.invalid(field: "template_id", "must be 1 to 64 lowercase letters, digits, '_' or '-'")
        }
        guard (1...OracleSyntheticTemplate.maxCount).contains(count) else {
            throw GatewayError.invalid(field: "count", "must be from 1 to \(OracleSyntheticTemplate.maxCount), got \(count)")
        }
        let window = completion_window ?? "24h"
        guard window.hasSuffix("h"), window.first != "0", let hours = Int(window.dropLast()),
            Self.windowHours.contains(hours)
        else {
            throw GatewayError.invalid(
                field: "completion_window",
                "must be a whole number of hours from \(Self.windowHours.lowerBound) to \(Self.windowHours.upperBound), such as \"24h\""
            )
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
        return (examples, temperature, hours * 3_600)
    }
}
