/// A chat request's `response_format`, as the emulated servers take it.
public enum ResponseFormat: Sendable {
    /// No constraint (absent, or `{"type": "text"}`).
    case text
    /// `{"type": "json_object"}`: any JSON object; llama.cpp also reads a `schema` beside the type.
    case jsonObject(schema: GenerationSchema?)
    /// `{"type": "json_schema", "json_schema": {"name": …, "schema": {…}, "strict": …}}`.
    case jsonSchema(name: String?, schema: GenerationSchema)

    /// The schema the answer must fit, if any.
    public var schema: GenerationSchema? {
        switch self {
        case .text: nil
        case .jsonObject(let schema): schema
        case .jsonSchema(_, let schema): schema
        }
    }

    /// True when the answer must be JSON.
    public var wantsJSON: Bool {
        if case .text = self { return false }
        return true
    }
}
