import VelocityTypes

extension EmulatedChatRequest {
    /// The request's `response_format`, read as the flavor reads it: `text`, `json_object` and
    /// `json_schema` everywhere. SGLang and vLLM validate `json_schema` with pydantic (its `name`
    /// is required; `schema` defaults to any JSON); llama.cpp takes `json_schema.schema` and,
    /// beside `json_object`, a `schema` of its own (server-common.cpp,
    /// `oaicompat_chat_params_parse`).
    static func responseFormat(body: [UInt8], flavor: OpenAIEmulatorConfiguration.Flavor) throws(EmulatorError) -> ResponseFormat {
        guard let root = try? JSONValue(parsing: body), let format = root["response_format"] else { return .text }
        if case .null = format { return .text }
        guard case .object(let object) = format, let type = object["type"]?.stringValue else {
            throw .badRequest("response_format: must be an object with a type", param: "response_format")
        }
        switch type {
        case "text":
            return .text
        case "json_object":
            guard flavor == .llamacpp, let schema = object["schema"] else { return .jsonObject(schema: nil) }
            return .jsonObject(schema: try Self.schema(schema))
        case "json_schema":
            let specification = object["json_schema"]
            if flavor == .llamacpp {
                return .jsonSchema(name: specification?["name"]?.stringValue, schema: try Self.schema(specification?["schema"] ?? .object([:])))
            }
            guard case .object(let fields)? = specification else {
                throw .badRequest("response_format.json_schema: Field required", param: "response_format")
            }
            guard let name = fields["name"]?.stringValue else {
                throw .badRequest("response_format.json_schema.name: Field required", param: "response_format")
            }
            return .jsonSchema(name: name, schema: try Self.schema(fields["schema"] ?? .object([:])))
        default:
            if flavor == .llamacpp {
                throw .badRequest("response_format type must be one of \"text\" or \"json_object\", but got: \(type)")
            }
            throw .badRequest(
                "response_format.type: Input should be 'text', 'json_object' or 'json_schema', got '\(type)'", param: "response_format")
        }
    }

    static func schema(_ json: JSONValue) throws(EmulatorError) -> GenerationSchema {
        do {
            return try GenerationSchema(json)
        } catch {
            throw .badRequest("response_format: \(error.message)", param: "response_format")
        }
    }
}
