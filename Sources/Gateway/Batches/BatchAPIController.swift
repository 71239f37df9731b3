import BlobStore
import Broker
import Foundation
import GPUBox
public import Hummingbird
import JobContracts
import NIOCore

/// OpenAI-compatible Files and Batches (`/v1/files`, `/v1/batches`) and the platform's runtime
/// LLM batch routes (`/api/runtime/llm/…`), all on the same batches and child jobs, which
/// `BatchCoordinator` drives.
public struct BatchAPIController: Sendable {
    let library: BatchLibrary
    let maxUploadBytes: Int
    /// Checks batches' `webhook_url`s; its store lists their deliveries.
    let webhooks: WebhookPolicy
    /// The GPU boxes, to say why an unfinished batch's lines wait; nil leaves that out.
    var boxes: BoxStateStore?
    /// The broker, for an unfinished batch's lines by state as its scripts count them; nil
    /// leaves them out.
    var broker: (any JobBroker)?

    /// - Parameters:
    ///   - postgres: the pool of the gateway's `files` and `batches` tables.
    ///   - blobs: where input, output and error files live.
    init(postgres: PostgresPool, blobs: any BlobStore, maxUploadBytes: Int, webhooks: WebhookPolicy) {
        self.library = BatchLibrary(store: BatchStore(pool: postgres), blobs: blobs)
        self.maxUploadBytes = maxUploadBytes
        self.webhooks = webhooks
    }

    public func addRoutes(to router: Router<GatewayContext>) {
        router.post("/v1/files", use: uploadFile)
        router.get("/v1/files", use: listFiles)
        router.get("/v1/files/{id}", use: getFile)
        router.get("/v1/files/{id}/content", use: fileContent)
        router.post("/v1/batches", use: createBatch)
        router.get("/v1/batches", use: listBatches)
        router.get("/v1/batches/{id}", use: getBatch)
        router.post("/v1/batches/{id}/cancel", use: cancelBatch)
        router.get("/v1/batches/{id}/webhooks", use: batchWebhooks)
        router.post("/api/runtime/llm/batch", use: submitRuntimeBatch)
        router.get("/api/runtime/llm/jobs/{job_id}", use: runtimeStatus)
        router.get("/api/runtime/llm/jobs/{job_id}/results", use: runtimeResults)
    }

    // MARK: Files

    @Sendable func uploadFile(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let receiver = MultipartFileReceiver(blobs: library.blobs, maxFileBytes: maxUploadBytes)
        let received = try await receiver.receive(request)
        let file: BatchStore.StoredFile
        do {
            guard let purpose = received.fields["purpose"] else {
                throw GatewayError.invalid(field: "purpose", "is required")
            }
            guard purpose == "batch" else {
                throw GatewayError.invalid(field: "purpose", "must be 'batch', not '\(purpose)'")
            }
            file = try await library.recordUpload(
                received, id: BatchIdentifiers.newFileID(), tenant: principal.tenant, purpose: purpose)
        } catch {
            await received.upload.discard()
            throw error
        }
        return try JSONResponse.make(file.object)
    }

    @Sendable func getFile(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try JSONResponse.make(try await library.file(id: context.parameter("id"), for: principal).object)
    }

    @Sendable func fileContent(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let file = try await library.file(id: context.parameter("id"), for: principal)
        let bytes = try await library.blobs.read(file.blobKey)
        return Response(
            status: .ok, headers: [.contentType: "application/jsonl"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    @Sendable func listFiles(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = request.uri.queryParameters
        let limit = try PageQuery.limit(request, default: 100, max: 10_000)
        let files = try await library.store.files(
            tenant: principal.tenant, purpose: query["purpose"].map(String.init), after: query["after"].map(String.init),
            limit: limit + 1)
        let page = Array(files.prefix(limit)).map(\.object)
        return try JSONResponse.make(OpenAIList(data: page, hasMore: files.count > limit, id: \.id))
    }

    // MARK: Batches

    struct CreateBatchBody: Decodable {
        var input_file_id: String
        var endpoint: String
        var completion_window: String
        var metadata: [String: String]?
        /// Push the batch's end here, signed (an extension of OpenAI's API); else the tenant's
        /// default when it names batch events.
        var webhook_url: String?
        /// `batch.completed`, `batch.failed`, `batch.expired`, `batch.cancelled` (default: all).
        var webhook_events: [String]?
    }

    @Sendable func createBatch(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let body = try await JSONResponse.decode(CreateBatchBody.self, from: request, context: context)
        var metadataText: String?
        if let metadata = body.metadata {
            guard metadata.count <= 16 else { throw GatewayError.invalid(field: "metadata", "has more than 16 keys") }
            for (key, value) in metadata {
                guard key.count <= 64 else {
                    throw GatewayError.invalid(field: "metadata", "key '\(key.prefix(64))…' is longer than 64 characters")
                }
                guard value.count <= 512 else {
                    throw GatewayError.invalid(field: "metadata.\(key)", "is longer than 512 characters")
                }
            }
            metadataText = JSONValue.object(metadata.mapValues { .string($0) }).jsonText
        }
        let webhook = try await webhooks.webhook(
            url: body.webhook_url, events: body.webhook_events, tenant: principal.tenant, allowed: JobWebhook.batchEvents)
        let batch = try await library.createBatch(
            principal: principal, inputFileID: body.input_file_id, endpoint: body.endpoint,
            completionWindow: body.completion_window, metadata: metadataText, webhook: webhook)
        return try JSONResponse.make(batch.object)
    }

    @Sendable func getBatch(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let batch = try await library.batch(id: context.parameter("id"), for: principal).object
        return try JSONResponse.make(await withWaitingReasons([batch])[0])
    }

    /// The batches, each unfinished one with its lines by state now (`line_counts`, one read
    /// of the broker's counts) and why they wait when no live box serves the LLM queue (one
    /// read of the boxes); either is left out when it cannot be read.
    func withWaitingReasons(_ batches: [BatchObject]) async -> [BatchObject] {
        // A validating batch has not counted its lines yet: all of them are still to run.
        let open = batches.indices.filter {
            let counts = batches[$0].request_counts
            return batches[$0].status == "validating"
                || (batches[$0].status == "in_progress" && counts.completed + counts.failed < counts.total)
        }
        var batches = batches
        if !open.isEmpty, let broker,
            let live = try? await broker.batchCounts(
                queue: LLMBatchLine.kind.queue, parents: open.map { batches[$0].id })
        {
            for index in open { batches[index].line_counts = live[batches[index].id] }
        }
        guard !open.isEmpty, let boxes, let views = try? await boxes.boxes(),
            let reason = BoxDirectory.waitingReason(queue: LLMBatchLine.kind.queue, boxes: views)
        else { return batches }
        for index in open { batches[index].waiting_reason = reason }
        return batches
    }

    /// The batch's webhook deliveries (one per end it reported), each attempt with its status.
    @Sendable func batchWebhooks(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let batch = try await library.batch(id: context.parameter("id"), for: principal)
        let list = try await webhooks.store.deliveries(batchID: batch.id, tenant: batch.tenant)
        return try JSONResponse.make(JSONValue.object(["object": .string("list"), "data": list]))
    }

    @Sendable func listBatches(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let limit = try PageQuery.limit(request, default: 20, max: 100)
        let batches = try await library.store.batches(
            tenant: principal.tenant, after: request.uri.queryParameters["after"].map(String.init), limit: limit + 1)
        let page = await withWaitingReasons(Array(batches.prefix(limit)).map(\.object))
        return try JSONResponse.make(OpenAIList(data: page, hasMore: batches.count > limit, id: \.id))
    }

    /// Validating or in-progress batches move to `cancelling`; the coordinator cancels their
    /// child jobs and ends them `cancelled`. A batch that already ended cannot be cancelled (409).
    @Sendable func cancelBatch(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let batch = try await library.batch(id: context.parameter("id"), for: principal)
        if batch.status == .cancelled { return try JSONResponse.make(batch.object) }
        guard let cancelling = try await library.store.requestCancel(id: batch.id) else {
            let now = try await library.batch(id: batch.id, for: principal)
            if now.status == .cancelled { return try JSONResponse.make(now.object) }
            throw GatewayError(
                .conflict, .conflict, "cannot cancel a batch with status '\(now.status.rawValue)'",
                details: ["status": now.status.rawValue])
        }
        return try JSONResponse.make(cancelling.object)
    }
}
