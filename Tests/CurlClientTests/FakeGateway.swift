import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Just enough of the gateway's HTTP shapes to drive the `velocity submit` and `velocity jobs`
/// commands. Requests of the wrong shape get the gateway's error envelope with a 400, so a
/// command that sends them fails visibly.
enum FakeGateway {
    static let apiKey = "vj_test_secret"
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 42, count: 5000)

    static func error(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        json(#"{"error":{"code":"\#(code)","message":"\#(message)","details":{"field":"kind"}}}"#, status: status)
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func job(_ id: String, _ status: String, extra: String = "") -> String {
        #"{"id":"\#(id)","kind":"llm.chat","queue":"llm","status":"\#(status)"\#(extra),"urls":{"get":"/v1/jobs/\#(id)"}}"#
    }

    static func router() -> Router<BasicRequestContext> {
        let router = Router()
        let polls = Mutex(0)
        router.add(middleware: AuthCheck())
        addBoxRoutes(to: router)
        router.post("/v1/jobs") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            if body.contains(#""kind":"nope""#) { return error(.unprocessableContent, "invalid_field", "kind: unknown") }
            guard body.contains(#""kind":"llm.chat""#), body.contains(#""payload":{"prompt":"hi"}"#),
                body.contains(#""priority":5"#), body.contains(#""timeouts":{"run_ms":9000}"#)
            else { return error(.badRequest, "test_shape", "unexpected body \(body)") }
            let repeated = request.headers[HTTPField.Name("Idempotency-Key")!] == "again"
            return json(job("job-1", "queued"), status: repeated ? .ok : .accepted)
        }
        router.get("/v1/jobs/{id}/events") { _, context -> Response in
            let id = try context.parameters.require("id")
            let events = [
                (
                    "queued",
                    job(id, "queued", extra: #","queue_position":2,"waiting_reason":"waiting: no media capacity, box dev-box in llm mode""#)
                ),
                ("processing", job(id, "processing", extra: #","progress":{"fraction":0.5,"message":"step 10/20"}"#)),
                ("succeeded", job(id, "succeeded")),
            ]
            let text = events.map { "event: \($0.0)\ndata: \($0.1)\n\n" }.joined(separator: ": keep-alive\n\n")
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream"], body: .init(byteBuffer: ByteBuffer(string: text)))
        }
        router.get("/v1/jobs/{id}") { _, context -> Response in json(job(try context.parameters.require("id"), "succeeded")) }
        router.get("/v1/jobs/{id}/result") { _, context -> Response in
            json(#"{"id":"\#(try context.parameters.require("id"))","status":"succeeded","result":{"answer":42},"error":null}"#)
        }
        router.post("/v1/jobs/{id}/cancel") { _, context -> Response in
            json(#"{"id":"\#(try context.parameters.require("id"))","status":"canceled","outcome":"canceled"}"#)
        }
        router.get("/v1/jobs") { request, _ -> Response in
            guard request.uri.query == "state=queued&kind=llm.chat&limit=2" else {
                return error(.badRequest, "test_shape", "query \(request.uri.query ?? "")")
            }
            return json(#"{"object":"list","data":[\#(job("a", "queued")),\#(job("b", "queued"))],"next_cursor":"c2","has_more":true}"#)
        }
        router.post("/dream-weaver") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 22))
            let expected = [
                #"name="image"; filename="room.png""#, "Content-Type: image/png", "\r\n\r\nliving_room\r\n",
                #"name="style""# + "\r\n\r\nwarm scandinavian\r\n", #"name="seed""# + "\r\n\r\n7\r\n",
            ]
            guard request.headers[.contentType]?.hasPrefix("multipart/form-data") == true,
                expected.allSatisfy(body.contains)
            else { return error(.badRequest, "test_shape", "unexpected multipart body") }
            return json(
                #"{"job_id":"dw-1","status":"queued","status_url":"/dream-weaver/status/dw-1","result_url":"/dream-weaver/result/dw-1"}"#,
                status: .accepted)
        }
        router.get("/dream-weaver/status/{id}") { _, _ -> Response in
            let count = polls.withLock { $0 += 1; return $0 }
            return json(count < 2 ? job("dw-1", "processing", extra: #","job_id":"dw-1""#) : job("dw-1", "succeeded", extra: #","job_id":"dw-1""#))
        }
        router.get("/dream-weaver/result/{id}") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: png)))
        }
        router.post("/v1/files") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 22))
            guard body.contains(#"name="purpose""# + "\r\n\r\nbatch\r\n"), body.contains(#"filename="requests.jsonl""#),
                body.contains(#""custom_id":"r1""#)
            else { return error(.badRequest, "test_shape", "unexpected file upload") }
            return json(#"{"id":"file-in","object":"file","bytes":120,"created_at":1,"filename":"requests.jsonl","purpose":"batch"}"#)
        }
        router.post("/v1/batches") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            if body.contains(#""input_file_id":"file-in""#), body.contains(#""endpoint":"/v1/embeddings""#) {
                return json(
                    #"{"id":"batch-bad","object":"batch","status":"failed","request_counts":{"total":0,"completed":0,"failed":0},"errors":{"object":"list","data":[{"code":"invalid_url","message":"url must match endpoint","param":"url","line":2}]}}"#)
            }
            guard body.contains(#""input_file_id":"file-in""#), body.contains(#""endpoint":"/v1/chat/completions""#),
                body.contains(#""completion_window":"24h""#), body.contains(#""metadata":{"team":"qa"}"#)
            else { return error(.badRequest, "test_shape", "unexpected batch body \(body)") }
            return json(#"{"id":"batch-1","object":"batch","status":"validating","request_counts":{"total":2,"completed":0,"failed":0}}"#)
        }
        // The first read of a batch finds its lines waiting for LLM capacity; the next, the batch done.
        let batchReads = Mutex(0)
        router.get("/v1/batches/{id}") { _, _ -> Response in
            if batchReads.withLock({ reads in
                reads += 1
                return reads == 1
            }) {
                return json(
                    #"{"id":"batch-1","object":"batch","status":"in_progress","request_counts":{"total":2,"completed":0,"failed":0},"waiting_reason":"waiting: no llm capacity, box dev-box in media mode"}"#)
            }
            return json(
                #"{"id":"batch-1","object":"batch","status":"completed","output_file_id":"file-out","error_file_id":"file-err","request_counts":{"total":2,"completed":1,"failed":1}}"#)
        }
        router.get("/v1/files/{id}/content") { _, context -> Response in
            let id = try context.parameters.require("id")
            return Response(
                status: .ok, headers: [.contentType: "application/jsonl"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"custom_id":"\#(id)"}"# + "\n")))
        }
        return router
    }

    /// Every request must carry the API key, as the real gateway demands.
    struct AuthCheck: RouterMiddleware {
        func handle(
            _ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response
        ) async throws -> Response {
            guard request.headers[.authorization] == "Bearer \(FakeGateway.apiKey)" else {
                return FakeGateway.error(.unauthorized, "unauthorized", "missing API key")
            }
            return try await next(request, context)
        }
    }
}
