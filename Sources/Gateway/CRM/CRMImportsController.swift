import BlobStore
import Broker
import CRMImport
import Foundation
import HTTPTypes
public import Hummingbird
import JobContracts
import Logging
import NIOCore
import PlatformStore
import Producer

/// CRM imports, on the platform's own paths: upload a CSV (`POST /api/crm/imports`), list and
/// read batches with their manifest and proposals, review (`PUT …/review-proposal`: mapping
/// edits, decisions, bulk rules), commit (`POST …/commit`), and download the rows with issues
/// as CSV (`GET …/errors`). Every route is tenant-scoped; reviewing and committing need the
/// reviewer role. The work runs as `crm.import` jobs on the `cpu` queue.
public struct CRMImportsController: Sendable {
    let store: CRMImportStore
    let producer: JobProducer
    let records: any JobRecordStore
    let blobs: any BlobStore
    let maxUploadBytes: Int
    let maxRows: Int
    let logger: Logger
    /// Checks uploads' `webhook_url`s; its store lists their deliveries.
    let webhooks: WebhookPolicy

    init(
        store: CRMImportStore, producer: JobProducer, records: any JobRecordStore, blobs: any BlobStore,
        maxUploadBytes: Int, maxRows: Int, logger: Logger, webhooks: WebhookPolicy
    ) {
        self.webhooks = webhooks
        self.store = store
        self.producer = producer
        self.records = records
        self.blobs = blobs
        self.maxUploadBytes = maxUploadBytes
        self.maxRows = maxRows
        self.logger = logger
    }

    public func addRoutes(to router: Router<GatewayContext>) {
        router.post("/api/crm/imports", use: upload)
        router.get("/api/crm/imports", use: list)
        router.get("/api/crm/imports/{batch_id}", use: get)
        router.put("/api/crm/imports/{batch_id}/review-proposal", use: review)
        router.post("/api/crm/imports/{batch_id}/commit", use: commit)
        router.get("/api/crm/imports/{batch_id}/errors", use: errors)
        router.get("/api/crm/imports/{batch_id}/webhooks", use: webhookDeliveries)
    }

    /// The upload's `webhook_url` and `webhook_events` (comma-separated) form fields, checked;
    /// else the tenant's default for the import events it names.
    func webhook(fields: [String: String], tenant: String) async throws -> JobWebhook? {
        let url = fields["webhook_url"].flatMap { $0.isEmpty ? nil : $0 }
        let events = fields["webhook_events"].flatMap { $0.isEmpty ? nil : $0 }.map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        return try await webhooks.webhook(url: url, events: events, tenant: tenant, allowed: JobWebhook.crmImportEvents)
    }

    /// The import's webhook deliveries, each attempt with its status.
    @Sendable func webhookDeliveries(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let id = try context.parameter("batch_id")
        guard UUID(uuidString: id) != nil, let batch = try await store.batch(id: id, tenant: principal.tenant) else {
            throw GatewayError.notFound("import batch")
        }
        let list = try await webhooks.store.deliveries(crmImportID: batch.id, tenant: batch.tenant)
        return try JSONResponse.make(JSONValue.object(["object": .string("list"), "data": list]))
    }

    @Sendable func upload(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let inspector = CRMUploadInspector(limits: CSVLimits(maxRows: maxRows))
        var receiver = MultipartFileReceiver(blobs: blobs, maxFileBytes: maxUploadBytes)
        receiver.inspect = { bytes in try inspector.inspect(bytes) }
        let received = try await receiver.receive(request)
        let batch: CRMImportBatch
        let created: Bool
        let idempotencyKey = request.headers[HTTPField.Name("Idempotency-Key")!]
        do {
            let options = try CRMUploadOptions(fields: received.fields)
            let webhook = try await webhook(fields: received.fields, tenant: principal.tenant)
            let (shape, sha256) = try inspector.finish()
            // A repeat (this content again, or this key again) keeps nothing of its own: a key
            // repeated with other content would otherwise leave that content's blob behind.
            if let existing = try await store.existing(
                tenant: principal.tenant, sha256: sha256, idempotencyKey: idempotencyKey)
            {
                await received.upload.discard()
                return try await answer(existing, created: false, actor: principal.subject)
            }
            let key = "crm-imports/sha256/\(sha256).csv"
            try await received.upload.commit(as: key)
            let id = UUID().uuidString.lowercased()
            let manifest = ColumnMapper().manifest(headers: shape.header, profile: options.profile)
            var candidate = CRMImportBatch(
                id: id, tenant: principal.tenant, sha256: sha256, sourceSystem: manifest.sourceProfile.rawValue,
                filename: received.filename, mimeType: "text/csv", storageRef: key, byteCount: shape.byteCount,
                rowCount: shape.dataRowCount, encoding: shape.dialect.encoding.rawValue,
                delimiter: shape.dialect.delimiter.rawValue, header: shape.header,
                defaultRegion: options.region.rawValue, autoApprove: options.autoApprove.rawValue,
                uploadedBy: principal.subject)
            candidate.manifestID = UUID().uuidString.lowercased()
            candidate.webhookURL = webhook?.url
            candidate.webhookEvents = webhook?.events
            (batch, created) = try await store.create(
                candidate,
                manifest: try CRMImportManifestRecord(
                    manifest, id: candidate.manifestID!, batchID: id, version: 1, createdBy: "velocity.crm.import"),
                idempotencyKey: idempotencyKey)
        } catch {
            await received.upload.discard()
            throw error
        }
        return try await answer(batch, created: created, actor: principal.subject)
    }

    /// 202 for a new batch, 200 for one a repeat found. A batch whose ingest job may not have
    /// been queued (a crash right after the row) gets it now; the job's idempotency key makes
    /// this a no-op when it was.
    private func answer(_ batch: CRMImportBatch, created: Bool, actor: String) async throws -> Response {
        var jobs: [String] = []
        if batch.status == .ingesting {
            jobs.append(try await submit(.ingest, batch: batch, actor: actor, key: "ingest"))
        }
        let view = CRMImportBatchView(batch, jobs: jobs)
        return try JSONResponse.make(view, status: created ? .accepted : .ok, headers: [.location: view.urls.`self`])
    }

    struct Page: Encodable {
        var object = "list"
        var data: [CRMImportBatchView]
        var next_cursor: String?
        var has_more: Bool
    }

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let paging = try PageQuery(request, defaultLimit: 20, maxLimit: 100, cursorIs: "an import batch id")
        let page = try await store.list(tenant: principal.tenant, before: paging.cursor, limit: paging.limit + 1)
        let shown = Array(page.prefix(paging.limit))
        var views: [CRMImportBatchView] = []
        for batch in shown {
            views.append(CRMImportBatchView(batch, counts: try await store.proposalCounts(batchID: batch.id)))
        }
        let next = page.count > paging.limit ? shown.last?.id : nil
        return try JSONResponse.make(Page(data: views, next_cursor: next, has_more: next != nil))
    }

    @Sendable func get(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let batch = try await requireBatch(context, tenant: principal.tenant)
        let filter = try CRMProposalFilter(query: request)
        let limit = try PageQuery.limit(request, default: 50, max: 500)
        // Seqs start at 0: the first page reads after -1.
        var after = -1
        if let cursor = request.uri.queryParameters["cursor"] {
            // Exactly what the document says, `^[0-9]{1,18}$`: no sign, nothing Int would also take.
            guard (1...18).contains(cursor.utf8.count), cursor.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let seq = Int(cursor)
            else {
                throw GatewayError.invalid(field: "cursor", "is not a proposal cursor (a next_cursor of this route)")
            }
            after = seq
        }
        let manifest = try await store.manifest(batchID: batch.id)
        let proposals = try await store.proposals(batchID: batch.id, filter: filter, afterSeq: after, limit: limit + 1)
        let shown = proposals.prefix(limit)
        let next = proposals.count > limit ? shown.last.map { String($0.seq) } : nil
        var views = shown.map { CRMProposalView($0, manifestID: manifest?.id) }
        try await CRMProposalView.attachExistingRecords(to: &views, tenant: principal.tenant, store: store)
        let page = CRMProposalPage(data: views, next_cursor: next, has_more: next != nil)
        let open = try await records.openChildren(parentBatch: batch.id).map(\.id)
        let view = CRMImportBatchView(
            batch, counts: try await store.proposalCounts(batchID: batch.id),
            manifest: manifest?.artifactView, jobs: open, proposals: page)
        return try JSONResponse.make(view)
    }

    @Sendable func review(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.reviewer)
        let batch = try await requireBatch(context, tenant: principal.tenant)
        let body = try await JSONResponse.decode(CRMReviewRequest.self, from: request, context: context)
        let region = PhoneRegion(rawValue: batch.defaultRegion) ?? .india
        let types = try await store.entityTypes(batchID: batch.id, proposalIDs: body.proposalIDs)
        let (decisions, bulk) = try body.validated(region: region, entityTypes: types)
        var jobs: [String] = []
        var covered: [Int] = []
        if body.hasMappingChange {
            let record = try await remap(batch, body: body, reviewer: principal.subject)
            let status = try await store.replaceManifest(batchID: batch.id, tenant: principal.tenant, manifest: record)
            if status == .proposing {
                jobs.append(
                    try await submit(.propose, batch: batch, actor: principal.subject, key: "propose:\(record.id)"))
            }
        } else {
            covered = try await store.review(
                batchID: batch.id, tenant: principal.tenant, reviewer: principal.subject, decisions: decisions,
                bulk: bulk)
        }
        guard let updated = try await store.batch(id: batch.id, tenant: principal.tenant) else {
            throw GatewayError.notFound("import batch")
        }
        struct Outcome: Encodable {
            var batch: CRMImportBatchView
            var decided: Int
            var bulk_decided: [Int]
            var decision_ids: [String: String]
        }
        return try JSONResponse.make(
            Outcome(
                batch: CRMImportBatchView(
                    updated, counts: try await store.proposalCounts(batchID: batch.id), jobs: jobs),
                decided: decisions.count, bulk_decided: covered,
                decision_ids: Dictionary(uniqueKeysWithValues: decisions.map { ($0.proposalID, $0.id) })))
    }

    @Sendable func commit(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.reviewer)
        let batch = try await requireBatch(context, tenant: principal.tenant)
        try await store.beginCommit(batchID: batch.id, tenant: principal.tenant)
        let job = try await submit(
            .commit, batch: batch, actor: principal.subject, key: "commit:\(UUID().uuidString.lowercased())")
        guard let updated = try await store.batch(id: batch.id, tenant: principal.tenant) else {
            throw GatewayError.notFound("import batch")
        }
        let view = CRMImportBatchView(updated, counts: try await store.proposalCounts(batchID: batch.id), jobs: [job])
        return try JSONResponse.make(view, status: .accepted, headers: [.location: view.urls.`self`])
    }

    /// The rows with issues as CSV: row and line, the issues, then the raw cells under the
    /// batch's header. Cells that a spreadsheet would run as formulas are neutralized.
    @Sendable func errors(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let batch = try await requireBatch(context, tenant: principal.tenant)
        let store = self.store
        let body = ResponseBody { writer in
            var buffer = ByteBuffer()
            buffer.writeBytes(CSVWriter.utf8ByteOrderMark)
            buffer.writeString(CSVWriter.row(["row", "line", "issues"] + batch.header))
            try await writer.write(buffer)
            var after = 0
            while true {
                let rows = try await store.rowsWithIssues(batchID: batch.id, afterRow: after, limit: 2_000)
                guard let last = rows.last else { break }
                var chunk = ByteBuffer()
                for row in rows {
                    let issues = (row.issues?.arrayValue ?? []).compactMap { issue -> String? in
                        guard let code = issue["code"]?.stringValue else { return nil }
                        let message = issue["message"]?.stringValue ?? ""
                        return message.isEmpty ? code : "\(code): \(message)"
                    }
                    chunk.writeString(
                        CSVWriter.row([String(row.number), String(row.line), issues.joined(separator: "; ")] + row.cells))
                }
                try await writer.write(chunk)
                after = last.number
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/csv; charset=utf-8",
                .contentDisposition: "attachment; filename=\"import-\(batch.id)-errors.csv\"",
            ], body: body)
    }

    func requireBatch(_ context: GatewayContext, tenant: String) async throws -> CRMImportBatch {
        let id = try context.parameter("batch_id").lowercased()
        guard let batch = try await store.batch(id: id, tenant: tenant) else { throw GatewayError.notFound("import batch") }
        return batch
    }

    /// The next manifest: the current one (or a fresh mapping with the requested profile), with
    /// the reviewer's edits applied; an edit that does not fit is a 422 and changes nothing.
    func remap(_ batch: CRMImportBatch, body: CRMReviewRequest, reviewer: String) async throws -> CRMImportManifestRecord {
        var manifest: MappingManifest
        if let profile = body.source_profile.flatMap(SourceProfile.init(rawValue:)) {
            manifest = ColumnMapper().manifest(headers: batch.header, profile: profile)
        } else {
            guard let current = try await store.manifest(batchID: batch.id) else {
                throw GatewayError(.conflict, .conflict, "batch \(batch.id) has no mapping manifest yet")
            }
            manifest = try current.mappingManifest()
        }
        do {
            try manifest.apply(body.mapping_edits ?? [])
        } catch let error as MappingError {
            throw GatewayError(.unprocessableContent, error.code, error.message, details: ["field": "mapping_edits"])
        }
        return try CRMImportManifestRecord(
            manifest, id: UUID().uuidString.lowercased(), batchID: batch.id, version: 0, createdBy: reviewer)
    }

    /// Queues a step of the batch; `key` makes a repeat of the same request queue it once.
    /// Every step carries the key `crm.import:<tenant>`, so a `key:crm.import:*` cap in the
    /// queue's limits bounds the imports one tenant runs at once.
    func submit(_ step: CRMImportJob.Step, batch: CRMImportBatch, actor: String, key: String) async throws -> String {
        var request = JobRequest(
            kind: CRMImportJob.kind.name,
            payload: try .typed(CRMImportJob.self, .init(batch_id: batch.id, step: step)),
            tenant: batch.tenant, actor: actor, idempotencyKey: "crm-import:\(batch.id):\(key)",
            parentBatch: batch.id, maxAttempts: 5)
        request.concurrencyKey = "crm.import:\(batch.tenant)"
        let receipt = try await producer.submit(request)
        return receipt.id
    }
}
