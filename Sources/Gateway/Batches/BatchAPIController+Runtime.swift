import Broker
import Foundation
import Hummingbird
import NIOCore

/// The platform's runtime LLM batch routes: a JSON list of chat requests in, a batch of the
/// same machinery as `/v1/batches` behind it.
extension BatchAPIController {
    struct RuntimeBatchBody: Decodable {
        struct Item: Decodable {
            var custom_id: String
            var messages: [JSONValue]
            var max_tokens: Int?
            var temperature: Double?
        }

        var model: String
        var requests: [Item]
        var metadata: [String: JSONValue]?
    }

    struct RuntimeAccepted: Encodable {
        var job_id: String
        var status: String
        var status_url: String
        var results_url: String
    }

    struct RuntimeStatus: Encodable {
        var job_id: String
        var status: String
        var request_counts: BatchObject.RequestCounts
        var created_at: String
        var completed_at: String?
        var errors: [BatchLineError]?

        init(_ batch: BatchStore.StoredBatch) {
            func iso(_ seconds: Int) -> String {
                Date(timeIntervalSince1970: Double(seconds)).formatted(Date.ISO8601FormatStyle())
            }
            job_id = batch.id
            status = batch.status.rawValue
            request_counts = .init(total: batch.total, completed: batch.completed, failed: batch.failed)
            created_at = iso(batch.createdAt)
            completed_at = (batch.completedAt ?? batch.cancelledAt ?? batch.expiredAt ?? batch.failedAt).map(iso)
            errors = batch.lineErrors
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(job_id, forKey: .job_id)
            try c.encode(status, forKey: .status)
            try c.encode(request_counts, forKey: .request_counts)
            try c.encode(created_at, forKey: .created_at)
            try c.encode(completed_at, forKey: .completed_at)
            try c.encode(errors, forKey: .errors)
        }

        enum CodingKeys: String, CodingKey { case job_id, status, request_counts, created_at, completed_at, errors }
    }

    struct RuntimeResult: Encodable {
        var custom_id: String
        var status_code: Int?
        var body: JSONValue?
        var error: JSONValue?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(custom_id, forKey: .custom_id)
            try c.encode(status_code, forKey: .status_code)
            try c.encode(body, forKey: .body)
            try c.encode(error, forKey: .error)
        }

        enum CodingKeys: String, CodingKey { case custom_id, status_code, body, error }
    }

    struct RuntimeResults: Encodable {
        var job_id: String
        var status: String
        var results: [RuntimeResult]
    }

    @Sendable func submitRuntimeBatch(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxUploadBytes)
        } catch {
            throw MultipartFileReceiver.tooLarge(maxUploadBytes)
        }
        guard buffer.readableBytes > 0 else { throw GatewayError.malformedJSON("the body is empty") }
        let body: RuntimeBatchBody
        do {
            body = try JSONDecoder().decode(RuntimeBatchBody.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw ErrorMiddleware<GatewayContext>.map(error)
        }
        let lines = try Self.jsonl(for: body)
        var metadata: String?
        if let object = body.metadata {
            guard object.count <= 16 else { throw GatewayError.invalid(field: "metadata", "has more than 16 keys") }
            metadata = JSONValue.object(object).jsonText
        }
        let file = try await library.storeFile(
            lines, tenant: principal.tenant, purpose: "batch", filename: "runtime-llm-batch.jsonl")
        let batch = try await library.createBatch(
            principal: principal, inputFileID: file.id, endpoint: "/v1/chat/completions", completionWindow: "24h",
            metadata: metadata)
        return try JSONResponse.make(
            RuntimeAccepted(
                job_id: batch.id, status: batch.status.rawValue, status_url: "/api/runtime/llm/jobs/\(batch.id)",
                results_url: "/api/runtime/llm/jobs/\(batch.id)/results"),
            status: .accepted, headers: [.location: "/api/runtime/llm/jobs/\(batch.id)"])
    }

    /// The OpenAI input file equivalent to a runtime batch body, or a 422 naming the field.
    static func jsonl(for body: RuntimeBatchBody) throws -> [UInt8] {
        guard !body.model.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw GatewayError.invalid(field: "model", "must not be empty")
        }
        guard !body.requests.isEmpty else { throw GatewayError.invalid(field: "requests", "must not be empty") }
        let validator = BatchInputValidator()
        guard body.requests.count <= validator.maxRequests else {
            throw GatewayError.invalid(field: "requests", "has more than \(validator.maxRequests) requests")
        }
        var seen: [String: Int] = [:]
        var bytes: [UInt8] = []
        for (index, item) in body.requests.enumerated() {
            let field = "requests[\(index)]"
            guard !item.custom_id.isEmpty else { throw GatewayError.invalid(field: "\(field).custom_id", "must not be empty") }
            if let first = seen[item.custom_id] {
                throw GatewayError.invalid(field: "\(field).custom_id", "duplicates requests[\(first)].custom_id")
            }
            seen[item.custom_id] = index
            guard !item.messages.isEmpty else { throw GatewayError.invalid(field: "\(field).messages", "must not be empty") }
            for (m, message) in item.messages.enumerated() {
                guard case .object(let fields) = message else {
                    throw GatewayError.invalid(field: "\(field).messages[\(m)]", "must be an object")
                }
                guard fields["role"]?.stringValue != nil else {
                    throw GatewayError.invalid(field: "\(field).messages[\(m)].role", "is required")
                }
            }
            var request: [String: JSONValue] = ["model": .string(body.model), "messages": .array(item.messages)]
            if let maxTokens = item.max_tokens {
                guard maxTokens >= 1 else { throw GatewayError.invalid(field: "\(field).max_tokens", "must be at least 1") }
                request["max_tokens"] = .int(Int64(maxTokens))
            }
            if let temperature = item.temperature {
                guard (0...2).contains(temperature) else {
                    throw GatewayError.invalid(field: "\(field).temperature", "must be from 0 to 2")
                }
                request["temperature"] = .double(temperature)
            }
            let line: JSONValue = .object([
                "custom_id": .string(item.custom_id), "method": .string("POST"), "url": .string("/v1/chat/completions"),
                "body": .object(request),
            ])
            bytes += Array(line.jsonText.utf8)
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    @Sendable func runtimeStatus(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let batch = try await library.batch(id: context.parameter("job_id"), for: principal)
        return try JSONResponse.make(RuntimeStatus(batch))
    }

    /// 200 with every request's outcome, in input order, once the batch ended with results
    /// (completed, cancelled or expired); 409 with the status JSON until then.
    @Sendable func runtimeResults(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let batch = try await library.batch(id: context.parameter("job_id"), for: principal)
        guard [.completed, .cancelled, .expired].contains(batch.status) else {
            // The status JSON, plus the gateway's one error shape for clients that look for it.
            struct NotReady: Encodable {
                var status: RuntimeStatus
                var error: GatewayErrorBody
                func encode(to encoder: any Encoder) throws {
                    try status.encode(to: encoder)
                    var c = encoder.container(keyedBy: CodingKeys.self)
                    try c.encode(error, forKey: .error)
                }
                enum CodingKeys: String, CodingKey { case error }
            }
            struct GatewayErrorBody: Encodable {
                var code: String
                var message: String
                var details: [String: String]
            }
            let error = GatewayErrorBody(
                code: "batch_not_finished",
                message: "batch \(batch.id) is \(batch.status.rawValue); its results are not ready",
                details: ["status": batch.status.rawValue])
            return try JSONResponse.make(NotReady(status: RuntimeStatus(batch), error: error), status: .conflict)
        }
        var byCustomID: [String: RuntimeResult] = [:]
        for fileID in [batch.outputFileID, batch.errorFileID].compactMap({ $0 }) {
            guard let file = try await library.store.file(id: fileID) else { continue }
            for line in try await library.blobs.read(file.blobKey).split(separator: UInt8(ascii: "\n")) {
                guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line)),
                    let customID = value["custom_id"]?.stringValue
                else { continue }
                let response = value["response"]
                var statusCode: Int?
                if case .int(let code) = response?["status_code"] { statusCode = Int(code) }
                let error = value["error"].flatMap { $0 == .null ? nil : $0 }
                byCustomID[customID] = RuntimeResult(
                    custom_id: customID, status_code: statusCode, body: response?["body"], error: error)
            }
        }
        var results: [RuntimeResult] = []
        results.reserveCapacity(byCustomID.count)
        if let input = try await library.store.file(id: batch.inputFileID) {
            for line in try await library.blobs.read(input.blobKey).split(separator: UInt8(ascii: "\n")) {
                guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(line)),
                    let customID = value["custom_id"]?.stringValue, let result = byCustomID.removeValue(forKey: customID)
                else { continue }
                results.append(result)
            }
        }
        results += byCustomID.values.sorted { $0.custom_id < $1.custom_id }
        return try JSONResponse.make(RuntimeResults(job_id: batch.id, status: batch.status.rawValue, results: results))
    }
}
