public import JSONSchema
public import VelocityTypes

/// What a structured answer must be: a JSON Schema, compiled once, and how to ask a server for
/// it. The same check runs on every answer whatever the server promised: servers that honour
/// `response_format` still truncate at `max_tokens`, and models behind `json_object` still
/// wrap JSON in prose.
public struct OutputSchema: Sendable {
    /// How the request asks the server for JSON.
    public enum RequestMode: String, Sendable, CaseIterable {
        /// `{"type":"json_schema","json_schema":{"name","schema","strict":true}}`: SGLang, vLLM
        /// and llama.cpp's server constrain decoding to the schema.
        case jsonSchema = "json_schema"
        /// `{"type":"json_object"}`: any JSON object; the schema is checked here only.
        case jsonObject = "json_object"
        /// Nothing in the request: the prompt alone asks for JSON.
        case none
    }

    /// The name sent with `json_schema` (letters, digits, `_` and `-`).
    public let name: String
    public let schema: JSONValue
    public let validator: JSONSchema
    public let mode: RequestMode

    /// Compiles `schema`; throws `SchemaError` naming the path of a bad keyword.
    public init(name: String, schema: JSONValue, mode: RequestMode = .jsonSchema) throws {
        self.name = name
        self.schema = schema
        self.validator = try JSONSchema(schema)
        self.mode = mode
    }

    /// The `response_format` field of a chat completion request, nil in `.none` mode.
    public var responseFormat: JSONValue? {
        switch mode {
        case .jsonSchema:
            .object([
                "type": "json_schema",
                "json_schema": .object(["name": .string(name), "schema": schema, "strict": true]),
            ])
        case .jsonObject: .object(["type": "json_object"])
        case .none: nil
        }
    }

    /// Recovers and validates one answer. `truncated` is the server's `finish_reason ==
    /// "length"`; `rules` adds what a schema cannot say (evidence that points into the input).
    public func check(
        _ content: String?, truncated: Bool, also rules: (JSONValue) -> [String] = { _ in [] }
    ) -> AnswerCheck {
        guard let content, !content.isEmpty else {
            return .invalid(problems: ["the answer is empty"], repairs: [])
        }
        let recovered: RecoveredJSON
        do {
            recovered = try JSONRecovery.recover(content, truncated: truncated)
        } catch {
            return .invalid(problems: ["the answer holds no JSON value: \(error)"], repairs: [])
        }
        var problems = validator.validate(recovered.value).map(\.description)
        if problems.isEmpty { problems = rules(recovered.value) }
        if problems.isEmpty, recovered.repairs.contains(where: { $0.kind == .truncated }) {
            // A dropped member could have been the one that mattered; a shorter answer is asked for.
            problems = ["the answer was cut off (\(recovered.repairs.map(\.description).joined(separator: "; ")))"]
        }
        return problems.isEmpty
            ? .valid(recovered.value, repairs: recovered.repairs)
            : .invalid(problems: problems, repairs: recovered.repairs)
    }

    /// The message sent back to the model after an answer that failed: what was wrong, in the
    /// validator's words, and what to send instead.
    public func feedback(_ problems: [String]) -> String {
        let listed = problems.prefix(12).map { "- \($0)" }.joined(separator: "\n")
        return """
            Your answer does not fit the required JSON Schema:
            \(listed)
            Answer again with only the corrected JSON object, nothing before or after it.
            """
    }
}

/// The outcome of checking one answer.
public enum AnswerCheck: Sendable, Equatable {
    /// The answer's JSON fits; `repairs` says what recovery did to reach it.
    case valid(JSONValue, repairs: [JSONRepair])
    /// It does not: each problem in words a model can act on.
    case invalid(problems: [String], repairs: [JSONRepair])
}
