import Foundation
import Gateway
import HTTPTypes
import JWTKit
import NIOCore

/// The rows and columns of `SecurityMatrixTests`: what each route's path names, a valid body
/// for it, and every way a caller can present (or fail to present) credentials.
enum SecurityMatrix {
    /// What a route's path parameters name, filled with a resource of tenant `acme`.
    enum Target {
        case none, job, render, file, batch, runtimeBatch, crmImport, person, syntheticJob, schedule, queue, deadJob, gpu
        case asset

        /// Another tenant asking for it by id gets a 404: the resource is the tenant's own.
        /// (Queues and GPUs are the box's, shared by every tenant; a person's history is a list.)
        var isTenantScoped: Bool {
            switch self {
            case .job, .render, .file, .batch, .runtimeBatch, .crmImport, .syntheticJob, .schedule, .deadJob: true
            case .none, .person, .queue, .gpu, .asset: false
            }
        }
    }

    /// Every route of the document, by "METHOD path". A route missing here fails the matrix, so
    /// a new route cannot ship without its row.
    static let targets: [String: Target] = [
        "POST /v1/jobs": .none, "GET /v1/jobs": .none, "GET /v1/jobs/{id}": .job, "GET /v1/jobs/{id}/result": .job,
        "POST /v1/jobs/{id}/cancel": .job, "GET /v1/jobs/{id}/events": .job, "GET /v1/jobs/{id}/webhooks": .job,
        "GET /v1/webhooks": .none, "PUT /v1/webhooks": .none, "POST /v1/webhooks/secrets": .none,
        "POST /dream-weaver": .none, "GET /dream-weaver/status/{job_id}": .render,
        "GET /dream-weaver/result/{job_id}": .render, "GET /dream-weaver/input/{job_id}": .render,
        "GET /dream-weaver/health": .none,
        "POST /v1/files": .none, "GET /v1/files": .none, "GET /v1/files/{id}": .file, "GET /v1/files/{id}/content": .file,
        "POST /v1/batches": .none, "GET /v1/batches": .none, "GET /v1/batches/{id}": .batch,
        "POST /v1/batches/{id}/cancel": .batch, "GET /v1/batches/{id}/webhooks": .batch,
        "POST /api/runtime/llm/batch": .none, "GET /api/runtime/llm/jobs/{job_id}": .runtimeBatch,
        "GET /api/runtime/llm/jobs/{job_id}/results": .runtimeBatch,
        "GET /health": .none, "GET /ready": .none, "GET /metrics": .none, "GET /openapi.json": .none,
        "GET /v1/queues": .none, "GET /v1/gpus": .none, "POST /v1/ops/mode": .none, "GET /v1/ops/mode/advice": .none,
        "PUT /v1/ops/mode/autopilot": .none,
        "POST /v1/gpus/{box}/{index}/drain": .gpu, "DELETE /v1/gpus/{box}/{index}/drain": .gpu,
        "GET /api/admin-surface/queues": .none, "POST /v1/queues/{name}/pause": .queue,
        "POST /v1/queues/{name}/resume": .queue, "GET /v1/queues/{name}/limits": .queue,
        "PUT /v1/queues/{name}/limits": .queue, "GET /v1/queues/{name}/dead": .queue,
        "POST /v1/queues/{name}/dead/{id}/replay": .deadJob,
        "POST /api/oracle/component-templates/synthetic-jobs": .none, "GET /api/admin-surface/synthetic-jobs": .none,
        "GET /api/admin-surface/synthetic-jobs/{job_id}": .syntheticJob,
        "GET /api/admin-surface/synthetic-jobs/{job_id}/examples": .syntheticJob,
        "POST /api/admin-surface/synthetic-jobs/{job_id}/cancel": .syntheticJob,
        "GET /api/crm/qd/{person_id}": .person,
        "POST /api/crm/imports": .none, "GET /api/crm/imports": .none, "GET /api/crm/imports/{batch_id}": .crmImport,
        "GET /api/crm/imports/{batch_id}/webhooks": .crmImport, "PUT /api/crm/imports/{batch_id}/review-proposal": .crmImport,
        "POST /api/crm/imports/{batch_id}/commit": .crmImport, "GET /api/crm/imports/{batch_id}/errors": .crmImport,
        "GET /": .none, "GET /dashboard": .none, "GET /dashboard/**": .asset, "GET /v1/dashboard/overview": .none,
        "GET /v1/me": .none,
        "POST /v1/schedules": .none, "GET /v1/schedules": .none, "GET /v1/schedules/{id}": .schedule,
        "PATCH /v1/schedules/{id}": .schedule, "DELETE /v1/schedules/{id}": .schedule,
        "GET /v1/schedules/{id}/runs": .schedule,
    ]

    /// The ids of acme's resources the matrix aims at.
    struct Resources {
        var job = "", render = "", file = "", batch = "", runtimeBatch = "", crmImport = "", person = ""
        var signal = "", syntheticJob = "", schedule = ""

        /// What another tenant must never read back.
        var ids: [String] { [job, render, file, batch, runtimeBatch, crmImport, signal, syntheticJob, schedule] }

        func path(_ operation: APIOperation, target: Target) -> String {
            var path = operation.path
            let values: [String: String]
            switch target {
            case .job: values = ["id": job]
            case .render: values = ["job_id": render]
            case .file: values = ["id": file]
            case .batch: values = ["id": batch]
            case .runtimeBatch: values = ["job_id": runtimeBatch]
            case .crmImport: values = ["batch_id": crmImport]
            case .person: values = ["person_id": person]
            case .syntheticJob: values = ["job_id": syntheticJob]
            case .schedule: values = ["id": schedule]
            case .queue: values = ["name": "cpu"]
            case .deadJob: values = ["name": "cpu", "id": job]
            case .gpu: values = ["box": "box-1", "index": "0"]
            case .asset: return path.replacingOccurrences(of: "**", with: "js/app.js")
            case .none: values = [:]
            }
            for (name, value) in values { path = path.replacingOccurrences(of: "{\(name)}", with: value) }
            return path
        }
    }

    /// A valid request body for the routes that take one, so a refusal is proven to come before
    /// the work and not from a bad body.
    static func body(_ operation: APIOperation, resources: Resources) -> (contentType: String, bytes: ByteBuffer)? {
        let json = "application/json"
        switch "\(operation.method) \(operation.path)" {
        case "POST /v1/jobs":
            return (json, ByteBuffer(string: #"{"kind":"cpu.task","payload":{"n":1}}"#))
        case "PUT /v1/webhooks":
            return (json, ByteBuffer(string: #"{"url":"https://example.com/hook"}"#))
        case "POST /v1/webhooks/secrets":
            return (json, ByteBuffer(string: #"{"overlap_seconds":60}"#))
        case "POST /dream-weaver":
            let body = MultipartBody.dreamWeaver(image: ImageSamples.png(width: 16, height: 16))
            return (body.contentType, body.buffer)
        case "POST /v1/files":
            return (
                "multipart/form-data; boundary=\(BatchTestSupport.boundary)",
                BatchTestSupport.multipart(file: BatchTestSupport.jsonl(count: 2))
            )
        case "POST /v1/batches":
            return (
                json,
                ByteBuffer(
                    string:
                        #"{"input_file_id":"\#(resources.file)","endpoint":"/v1/chat/completions","completion_window":"24h"}"#)
            )
        case "POST /api/runtime/llm/batch":
            return (json, BatchRuntimeTests.body(count: 1))
        case "POST /v1/ops/mode":
            return (json, ByteBuffer(string: #"{"mode":"llm"}"#))
        case "PUT /v1/ops/mode/autopilot":
            return (json, ByteBuffer(string: #"{"enabled":true}"#))
        case "POST /v1/gpus/{box}/{index}/drain":
            return (json, ByteBuffer(string: #"{"reason":"matrix"}"#))
        case "PUT /v1/queues/{name}/limits":
            return (json, ByteBuffer(string: QueueLimitsAPITests.limits))
        case "POST /api/oracle/component-templates/synthetic-jobs":
            return (json, SyntheticJobsAPITests.body(count: "1"))
        case "POST /api/crm/imports":
            return (
                "multipart/form-data; boundary=\(BatchTestSupport.boundary)",
                BatchTestSupport.multipart(
                    fields: [], file: Array("first_name,email\nAsha,asha@example.com\n".utf8), filename: "leads.csv")
            )
        case "PUT /api/crm/imports/{batch_id}/review-proposal":
            return (json, ByteBuffer(string: #"{"bulk":[{"decision":"approve","where":{}}]}"#))
        case "POST /v1/schedules":
            return (
                json,
                ByteBuffer(string: #"{"name":"matrix","cron":"30 2 * * *","job":\#(SchedulesAPITests.job)}"#)
            )
        case "PATCH /v1/schedules/{id}":
            return (json, ByteBuffer(string: #"{"paused":true}"#))
        default:
            return nil
        }
    }

    /// How a caller presents itself.
    enum Caller: CustomStringConvertible, CaseIterable {
        case anonymous, unknownKey, revokedKey, expiredJWT, unsignedJWT, foreignJWT

        var description: String {
            switch self {
            case .anonymous: "no credentials"
            case .unknownKey: "an unknown API key"
            case .revokedKey: "a revoked API key"
            case .expiredJWT: "an expired JWT"
            case .unsignedJWT: "a JWT with alg none"
            case .foreignJWT: "a JWT signed with another key"
            }
        }
    }

    /// An HS256 JWT of acme's, as the platform issues them, or with one thing wrong.
    static func jwt(role: String = "admin", expires: Date = Date().addingTimeInterval(600), secret: String) async throws
        -> String
    {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        return try await keys.sign(
            AuthTests.Claims(sub: "matrix", tenant_id: "acme", role: role, exp: ExpirationClaim(value: expires)))
    }

    /// A JWT whose header says `alg: none` and whose signature is empty: must never authenticate,
    /// whatever its claims say (an admin here).
    static func unsignedJWT() -> String {
        func part(_ json: String) -> String {
            Data(json.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        let expires = Int(Date().timeIntervalSince1970) + 600
        return part(#"{"alg":"none","typ":"JWT"}"#) + "."
            + part(#"{"sub":"matrix","tenant_id":"acme","role":"admin","exp":\#(expires)}"#) + "."
    }
}
