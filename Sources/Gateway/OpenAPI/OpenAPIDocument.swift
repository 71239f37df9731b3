public import Foundation

/// The gateway's OpenAPI 3.1 document, served at `/openapi.json`.
///
/// Built from `operations`, one entry per route; `OpenAPITests` compares it with the router so
/// a route cannot be added, removed or renamed without the document following.
public enum OpenAPIDocument {
    /// The JSON document.
    public static func json() -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for operation in operations {
            paths[operation.path, default: [:]][operation.method.lowercased()] = describe(operation)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "Velocity Jobs gateway",
                "version": "1.0.0",
                "description": """
                Submit, watch and fetch jobs; Dream Weaver upload-and-poll; OpenAI-compatible batches; queue \
                operations. Every error is {"error": {"code", "message", "details"}}.
                """,
            ],
            "paths": paths,
            "components": [
                "securitySchemes": [
                    "bearer": [
                        "type": "http", "scheme": "bearer",
                        "description": "An API key (vj_…) or an HS256 JWT with sub, tenant_id and role claims.",
                    ]
                ],
                "schemas": componentSchemas,
            ],
            "security": [["bearer": [String]()]],
        ]
    }

    /// The methods the gateway serves at a request path, in a stable order; empty for a path it
    /// does not serve at all.
    public static func methods(at path: String) -> [String] {
        let order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
        var methods = Set(operations.filter { $0.matches(path: path) }.map(\.method))
        // The router answers HEAD wherever it answers GET.
        if methods.contains("GET") { methods.insert("HEAD") }
        return order.filter(methods.contains)
    }

    /// Every named schema; those of request bodies refuse U+0000 in any text, as the gateway does.
    static var componentSchemas: [String: Any] {
        var all = schemas.merging(llmKindSchemas) { current, _ in current }.merging(crmSchemas) { current, _ in current }
            .merging(scheduleSchemas) { current, _ in current }.merging(dashboardSchemas) { current, _ in current }
        for operation in operations {
            switch operation.body {
            case .json(let name), .optionalJSON(let name):
                if let schema = all[name] as? [String: Any] { all[name] = nulFree(schema) }
            case .multipart, nil:
                break
            }
        }
        return all
    }

    public static func data() throws -> Data {
        try JSONSerialization.data(withJSONObject: json(), options: [.sortedKeys, .withoutEscapingSlashes])
    }

    static func describe(_ operation: APIOperation) -> [String: Any] {
        var result: [String: Any] = [
            "summary": operation.summary,
            "tags": [operation.tag],
            "operationId": operationID(operation),
        ]
        if operation.isPublic {
            result["security"] = [[String: [String]]]()
        } else if operation.role != .submitter {
            result["description"] = "Needs the \(operation.role.rawValue) role."
        }
        var parameters: [[String: Any]] = operation.pathParameters.map {
            let values = operation.pathValues[$0] ?? .text
            return ["name": $0, "in": "path", "required": true, "schema": QueryParameter("", "", values).schema]
        }
        parameters += operation.query.map {
            ["name": $0.name, "in": "query", "required": false, "description": $0.description, "schema": $0.schema]
        }
        if operation.takesIdempotencyKey {
            parameters.append([
                "name": "Idempotency-Key", "in": "header", "required": false, "schema": ["type": "string"],
                "description": "A repeat with the same key (per tenant) returns what the first made, with 200.",
            ])
        }
        if !parameters.isEmpty { result["parameters"] = parameters }
        switch operation.body {
        case .json(let schema), .optionalJSON(let schema):
            var required = true
            if case .optionalJSON = operation.body { required = false }
            result["requestBody"] = [
                "required": required,
                "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(schema)"]]],
            ]
        case .multipart(let fields):
            var properties: [String: Any] = [:]
            for field in fields {
                properties[field.name] = field.file ? ["type": "string", "format": "binary"] : ["type": "string"]
            }
            result["requestBody"] = [
                "required": true,
                "content": [
                    "multipart/form-data": [
                        "schema": [
                            "type": "object", "properties": properties,
                            "required": fields.filter(\.required).map(\.name),
                        ]
                    ]
                ],
            ]
        case nil:
            break
        }
        var responses: [String: Any] = [:]
        var all = operation.responses
        // What every route of its shape may answer; a route's own description of a code wins.
        var shared: [(code: Int, description: String, schema: String?, mediaType: String)] = []
        if !operation.isPublic {
            shared += [
                APIOperation.status(401, "No or bad credentials"), APIOperation.status(429, "Rate limited (Retry-After)"),
            ]
            if operation.role != .submitter { shared.append(APIOperation.status(403, "Role too low")) }
        }
        switch operation.body {
        case .json, .optionalJSON:
            shared += [
                APIOperation.status(400, "Malformed JSON"), APIOperation.status(413, "Body too large"),
                APIOperation.status(422, "A field is missing or invalid; details.field names it"),
            ]
        case .multipart:
            shared += [
                APIOperation.status(400, "Malformed multipart body"), APIOperation.status(413, "Too large, or too many parts"),
                APIOperation.status(415, "Not multipart/form-data, or a file of the wrong format"),
                APIOperation.status(422, "A field is missing or invalid; details.field names it"),
            ]
        case nil:
            break
        }
        if !operation.query.isEmpty { shared.append(APIOperation.status(422, "A query parameter is invalid")) }
        if !operation.pathParameters.isEmpty { shared.append(APIOperation.status(404, "Not found")) }
        if !operation.pathValues.isEmpty { shared.append(APIOperation.status(422, "A path parameter is invalid")) }
        shared.append(APIOperation.status(500, "Internal error"))
        for response in shared where !all.contains(where: { $0.code == response.code }) { all.append(response) }
        let links = links(of: operation)
        for response in all {
            var entry: [String: Any] = ["description": response.description]
            if let schema = response.schema {
                let schemaValue: [String: Any] =
                    schema == "binary" ? ["type": "string", "format": "binary"] : ["$ref": "#/components/schemas/\(schema)"]
                entry["content"] = [response.mediaType: ["schema": schemaValue]]
                if (200..<300).contains(response.code), !links.isEmpty { entry["links"] = links }
            }
            responses[String(response.code)] = entry
        }
        result["responses"] = responses
        return result
    }

    static func operationID(_ operation: APIOperation) -> String {
        let words = operation.path.split(separator: "/").map {
            $0.replacingOccurrences(of: "{", with: "by_").replacingOccurrences(of: "}", with: "")
                .replacingOccurrences(of: "-", with: "_")
        }
        return ([operation.method.lowercased()] + words).joined(separator: "_")
    }
}
