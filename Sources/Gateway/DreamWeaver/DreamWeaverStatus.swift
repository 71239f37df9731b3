import VelocityTypes
import Foundation

/// The status JSON of a Dream Weaver job: `GET /v1/jobs/{id}`'s object (status,
/// queue_position, progress, metrics, error, …) plus `job_id`, `status_url`, `result_url`, and
/// once rendered on a store that presigns (S3) `output_url`, the PNG straight from the store.
///
/// The result route answers with this same object, status 409, while the render is not
/// ready, so a polling client reads one shape from both routes.
enum DreamWeaverStatus {
    static func statusURL(_ id: String) -> String { "/dream-weaver/status/\(id)" }
    static func resultURL(_ id: String) -> String { "/dream-weaver/result/\(id)" }

    static func json(_ view: JobView, outputURL: String? = nil) throws -> JSONValue {
        let data = try JSONResponse.encoder.encode(view)
        guard case .object(var object) = try JSONDecoder().decode(JSONValue.self, from: data) else {
            throw GatewayError(.internalServerError, .internalError, "job view is not an object")
        }
        object["job_id"] = .string(view.id)
        object["status_url"] = .string(statusURL(view.id))
        object["result_url"] = .string(resultURL(view.id))
        if let outputURL { object["output_url"] = .string(outputURL) }
        return .object(object)
    }
}
