public import Broker
import Foundation
import HTTPTypes
public import Hummingbird
import JobContracts
public import Logging
import NIOCore
public import PlatformStore
public import Producer

/// Oracle synthetic jobs: `POST /api/oracle/component-templates/synthetic-jobs` creates one
/// (a row, then one low-priority LLM line per example); `/api/admin-surface/synthetic-jobs`
/// lists them with their counts, shows one, streams its examples as JSONL while it runs, and
/// cancels the lines not yet run (the valid examples stay). Everything is tenant-scoped.
public struct SyntheticJobsController: Sendable {
    let store: SyntheticJobStore
    let producer: JobProducer
    let records: any JobRecordStore
    let logger: Logger

    public init(store: SyntheticJobStore, producer: JobProducer, records: any JobRecordStore, logger: Logger) {
        self.store = store
        self.producer = producer
        self.records = records
        self.logger = logger
    }

    public func addRoutes(to router: Router<GatewayContext>) {
        router.post("/api/oracle/component-templates/synthetic-jobs", use: create)
        router.get("/api/admin-surface/synthetic-jobs", use: list)
        router.get("/api/admin-surface/synthetic-jobs/{job_id}", use: get)
        router.get("/api/admin-surface/synthetic-jobs/{job_id}/examples", use: examples)
        router.post("/api/admin-surface/synthetic-jobs/{job_id}/cancel", use: cancel)
    }

    @Sendable func create(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let body = try await JSONResponse.decode(SyntheticJobRequest.self, from: request, context: context)
        let (examples, temperature, windowSeconds) = try body.validated()
        let idempotencyKey = request.headers[HTTPField.Name("Idempotency-Key")!]
        let (job, created) = try await store.create(
            SyntheticJob(
                id: JobID.make(), tenant: principal.tenant, templateID: body.template_id, schema: body.schema,
                count: body.count, examples: examples, temperature: temperature, createdBy: principal.subject,
                completionWindowSeconds: windowSeconds),
            idempotencyKey: idempotencyKey)
        // The lines' idempotency keys make a repeat (a retried request, or a crash between the
        // row and the lines) submit each line once.
        let lines = try (0..<job.count).map { line in
            JobRequest(
                kind: OracleSyntheticTemplate.kind.name,
                payload: try .typed(
                    OracleSyntheticTemplate.self,
                    .init(synthetic_job_id: job.id, template_id: job.templateID, line: line)),
                tenant: job.tenant, actor: "synthetic:\(job.id)", idempotencyKey: "synthetic:\(job.id):\(line)",
                parentBatch: job.id)
        }
        _ = try await producer.submit(lines)
        // The window a GPU box's mode advice plans its LLM capacity around (a repeat sets it again).
        if let expires = job.expiresMilliseconds {
            try await producer.broker.setBatchWindow(
                queue: OracleSyntheticTemplate.kind.queue, parent: job.id, dueMilliseconds: expires)
        }
        let view = try await self.view(job.id, tenant: principal.tenant)
        return try JSONResponse.make(
            view, status: created ? .accepted : .ok, headers: [.location: view.urls.`self`])
    }

    struct Page: Encodable {
        var object = "list"
        var data: [SyntheticJobView]
        var next_cursor: String?
        var has_more: Bool
    }

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let paging = try PageQuery(request, defaultLimit: 20, maxLimit: 100, cursorIs: "a synthetic job id")
        // As in `view`: the lines' states before the examples counts, so no job shows completed
        // with an example missing; the page is read once for its ids and again for its counts.
        let ids = try await store.list(tenant: principal.tenant, before: paging.cursor, limit: paging.limit + 1)
        let children = try await records.childCounts(parentBatches: ids.prefix(paging.limit).map(\.job.id))
        let page = try await store.list(tenant: principal.tenant, before: paging.cursor, limit: paging.limit + 1)
        let shown = Array(page.prefix(paging.limit))
        let views = shown.map {
            SyntheticJobView($0, children: children[$0.job.id] ?? .init(succeeded: 0, unsuccessful: 0, all: 0))
        }
        let next = page.count > paging.limit ? shown.last?.job.id : nil
        return try JSONResponse.make(Page(data: views, next_cursor: next, has_more: next != nil))
    }

    @Sendable func get(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        return try JSONResponse.make(try await view(context.parameter("job_id"), tenant: principal.tenant))
    }

    /// The examples stored so far, one JSON object per line (`{"line":…,"example":…}`), in
    /// line order: readable while the job runs.
    @Sendable func examples(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let id = try context.parameter("job_id")
        guard let summary = try await store.summary(id: id, tenant: principal.tenant) else {
            throw GatewayError.notFound("synthetic job")
        }
        let store = self.store
        let body = ResponseBody { writer in
            var after = -1
            while true {
                let page = try await store.examples(jobID: summary.job.id, afterLine: after, limit: 1_000)
                guard let last = page.last else { break }
                var buffer = ByteBuffer()
                for (line, example) in page {
                    buffer.writeString(#"{"example":"# + example.jsonText + #","line":\#(line)}"# + "\n")
                }
                try await writer.write(buffer)
                after = last.line
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "application/x-ndjson",
                .contentDisposition: "attachment; filename=\"\(summary.job.templateID)-\(summary.job.id).jsonl\"",
            ], body: body)
    }

    /// Stops the lines not yet run; running lines are asked to stop; stored examples stay.
    @Sendable func cancel(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let id = try context.parameter("job_id")
        guard try await store.markCanceled(id: id, tenant: principal.tenant) else {
            throw GatewayError.notFound("synthetic job")
        }
        try await ChildJobCanceller(records: records, broker: producer.broker, logger: logger).cancelOpen(parentBatch: id)
        return try JSONResponse.make(try await view(id, tenant: principal.tenant))
    }

    func view(_ id: String, tenant: String) async throws -> SyntheticJobView {
        // The lines' states first, then the examples: a line stores its example before it
        // succeeds, so read in this order a view never says `completed` with an example missing
        // (the other order once showed 499 valid of 500 done, the last line landing in between).
        let children = try await records.childCounts(parentBatch: id)
        guard let summary = try await store.summary(id: id, tenant: tenant) else {
            throw GatewayError.notFound("synthetic job")
        }
        return SyntheticJobView(summary, children: children)
    }
}
