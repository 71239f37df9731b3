/// The emulator's answer to a structured-output request: JSON that fits the schema (or, for
/// `json_object`, a small object), or — drawn at the configured rates — that JSON broken the
/// way models break it.
public struct StructuredAnswer: Sendable, Equatable {
    /// The message content.
    public var text: String
    /// How it was broken; nil when it is valid and fits.
    public var broken: BrokenJSONKind?
    /// It stops mid-value: the server reports `finish_reason: "length"`.
    public var truncated: Bool

    public init(text: String, broken: BrokenJSONKind?, truncated: Bool) {
        self.text = text
        self.broken = broken
        self.truncated = truncated
    }

    /// The answer for `schema` (nil: `json_object`), drawn from `seed`: the same seed gives the
    /// same answer, and whether it breaks does not depend on the schema.
    public static func make(schema: GenerationSchema?, seed: UInt64, rates: BrokenJSONRates) -> StructuredAnswer {
        var draw = SplitMix64(seed: seed)
        let unit = Double(draw.next() >> 11) / Double(1 << 53)
        var generator = JSONSchemaGenerator(seed: draw.next())
        let value = schema.map { generator.instance(of: $0) } ?? generator.plainObject()
        guard let kind = rates.kind(forUnit: unit) else {
            return StructuredAnswer(text: RenderedJSON(value, schema: schema).text, broken: nil, truncated: false)
        }
        let (text, truncated) = kind.breaking(value, schema: schema)
        return StructuredAnswer(text: text, broken: kind, truncated: truncated)
    }
}
