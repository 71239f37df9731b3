/// One route as the OpenAPI document describes it.
public struct APIOperation: Sendable {
    public enum Body: Sendable {
        /// A JSON body with the named schema.
        case json(String)
        /// The same, or none at all (every field has a default).
        case optionalJSON(String)
        /// multipart/form-data with these fields (name, is a file, required).
        case multipart([(name: String, file: Bool, required: Bool)])
    }

    public var method: String
    public var path: String
    public var summary: String
    public var tag: String
    public var body: Body?
    /// Status code → (description, schema name or nil, media type).
    public var responses: [(code: Int, description: String, schema: String?, mediaType: String)]
    /// Query parameters.
    public var query: [QueryParameter]
    /// The values a path parameter takes, where the gateway checks them (422 otherwise); any
    /// other path parameter is any one segment.
    public var pathValues: [String: QueryParameter.Values]
    /// Needs no credentials (`/health`, `/ready`).
    public var isPublic: Bool
    /// The role needed beyond authentication.
    public var role: Principal.Role
    /// A create that takes an `Idempotency-Key` header: a client that got no answer sends the
    /// same request again under the same key and gets the first one's result, with 200.
    public var takesIdempotencyKey: Bool

    init(
        _ method: String, _ path: String, _ summary: String, tag: String, body: Body? = nil,
        responses: [(code: Int, description: String, schema: String?, mediaType: String)],
        query: [QueryParameter] = [], pathValues: [String: QueryParameter.Values] = [:], isPublic: Bool = false,
        role: Principal.Role = .submitter, takesIdempotencyKey: Bool = false
    ) {
        self.method = method
        self.path = path
        self.summary = summary
        self.tag = tag
        self.body = body
        self.responses = responses
        self.query = query
        self.pathValues = pathValues
        self.isPublic = isPublic
        self.role = role
        self.takesIdempotencyKey = takesIdempotencyKey
    }

    /// `{name}` segments of the path.
    public var pathParameters: [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }
}

extension APIOperation {
    /// Whether a request path is this route's: `{name}` takes one non-empty segment, a final
    /// `**` one or more.
    func matches(path requestPath: String) -> Bool {
        let template = path.split(separator: "/")
        let segments = requestPath.split(separator: "/")
        if template.last == "**" {
            guard segments.count >= template.count else { return false }
        } else {
            guard segments.count == template.count else { return false }
        }
        return zip(template, segments).allSatisfy { pattern, segment in
            pattern == "**" || (pattern.hasPrefix("{") && pattern.hasSuffix("}")) || pattern == segment
        }
    }

    static func ok(_ schema: String?, _ description: String = "OK", media: String = "application/json")
        -> (code: Int, description: String, schema: String?, mediaType: String)
    {
        (200, description, schema, media)
    }

    static func status(_ code: Int, _ description: String, _ schema: String? = "Error", media: String = "application/json")
        -> (code: Int, description: String, schema: String?, mediaType: String)
    {
        (code, description, schema, media)
    }
}
