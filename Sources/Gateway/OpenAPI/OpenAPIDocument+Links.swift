/// OpenAPI `links`: from each response that makes something to the operations that read or act
/// on it, so a client generator (and schemathesis' stateful phase) can chain a create to its
/// reads without knowing the API's conventions.
extension OpenAPIDocument {
    /// A response field that names what an operation made, and the operations that take it.
    struct Link: Sendable {
        /// The field of the 2xx body (a JSON pointer without the leading `/`).
        var field: String?
        /// `METHOD path` of each operation the field feeds.
        var targets: [String]
    }

    /// Keyed by the `METHOD path` whose 2xx answers carry the links. A target's path parameter
    /// that the source has too comes from the source's request; any other from `field`.
    static let links: [String: Link] = [
        "POST /v1/jobs": Link(
            field: "id",
            targets: [
                "GET /v1/jobs/{id}", "GET /v1/jobs/{id}/result", "GET /v1/jobs/{id}/events", "GET /v1/jobs/{id}/webhooks",
                "POST /v1/jobs/{id}/cancel",
            ]),
        "POST /dream-weaver": Link(
            field: "job_id",
            targets: [
                "GET /dream-weaver/status/{job_id}", "GET /dream-weaver/result/{job_id}", "GET /dream-weaver/input/{job_id}",
                "GET /v1/jobs/{id}",
            ]),
        "POST /v1/files": Link(field: "id", targets: ["GET /v1/files/{id}", "GET /v1/files/{id}/content"]),
        "POST /v1/batches": Link(
            field: "id", targets: ["GET /v1/batches/{id}", "GET /v1/batches/{id}/webhooks", "POST /v1/batches/{id}/cancel"]),
        "POST /api/runtime/llm/batch": Link(
            field: "job_id",
            targets: ["GET /api/runtime/llm/jobs/{job_id}", "GET /api/runtime/llm/jobs/{job_id}/results", "GET /v1/jobs/{id}"]),
        "POST /api/oracle/component-templates/synthetic-jobs": Link(
            field: "id",
            targets: [
                "GET /api/admin-surface/synthetic-jobs/{job_id}", "GET /api/admin-surface/synthetic-jobs/{job_id}/examples",
                "POST /api/admin-surface/synthetic-jobs/{job_id}/cancel",
            ]),
        "POST /api/crm/imports": Link(
            field: "id",
            targets: [
                "GET /api/crm/imports/{batch_id}", "GET /api/crm/imports/{batch_id}/errors",
                "GET /api/crm/imports/{batch_id}/webhooks", "PUT /api/crm/imports/{batch_id}/review-proposal",
                "POST /api/crm/imports/{batch_id}/commit",
            ]),
        "POST /v1/schedules": Link(
            field: "id",
            targets: [
                "GET /v1/schedules/{id}", "GET /v1/schedules/{id}/runs", "PATCH /v1/schedules/{id}", "DELETE /v1/schedules/{id}",
            ]),
        "POST /v1/gpus/{box}/{index}/drain": Link(field: nil, targets: ["DELETE /v1/gpus/{box}/{index}/drain"]),
        "POST /v1/queues/{name}/pause": Link(field: nil, targets: ["POST /v1/queues/{name}/resume"]),
    ]

    /// The `links` object of `operation`'s 2xx answers; empty when it makes nothing.
    static func links(of operation: APIOperation) -> [String: Any] {
        guard let link = links["\(operation.method) \(operation.path)"] else { return [:] }
        var result: [String: Any] = [:]
        for target in link.targets {
            guard let to = operations.first(where: { "\($0.method) \($0.path)" == target }) else { continue }
            var parameters: [String: String] = [:]
            for name in to.pathParameters {
                if operation.pathParameters.contains(name) {
                    parameters[name] = "$request.path.\(name)"
                } else if let field = link.field {
                    parameters[name] = "$response.body#/\(field)"
                }
            }
            result[operationID(to)] = ["operationId": operationID(to), "parameters": parameters]
        }
        return result
    }
}
