import Broker
import Foundation
import HTTPTypes
public import Hummingbird
import NIOCore
public import Producer

/// `/v1/jobs`: submit, status, result, cancel, events, list.
public struct JobsController: Sendable {
    let producer: JobProducer
    let directory: JobDirectory
    let events: JobEventHub
    let webhooks: WebhookPolicy

    init(producer: JobProducer, directory: JobDirectory, events: JobEventHub, webhooks: WebhookPolicy) {
        self.producer = producer
        self.directory = directory
        self.events = events
        self.webhooks = webhooks
    }

    public func addRoutes(to router: Router<GatewayContext>) {
        router.post("/v1/jobs", use: submit)
        router.get("/v1/jobs", use: list)
        router.get("/v1/jobs/{id}", use: get)
        router.get("/v1/jobs/{id}/result", use: result)
        router.post("/v1/jobs/{id}/cancel", use: cancel)
        router.get("/v1/jobs/{id}/events", use: stream)
    }

    /// The 202 body of an accepted submit.
    struct Accepted: Encodable {
        var id: String
        var status: String
        var kind: String
        var queue: String
        /// False when an `Idempotency-Key` matched an earlier submit: this is that job.
        var created: Bool
        var urls: JobView.URLs
    }

    @Sendable func submit(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let body = try await JSONResponse.decode(JobSubmitRequest.self, from: request, context: context)
        let idempotencyKey = request.headers[HTTPField.Name("Idempotency-Key")!]
        var jobRequest = body.jobRequest(principal: principal, idempotencyKey: idempotencyKey)
        jobRequest.webhook = try await webhooks.webhook(
            url: body.webhook_url, events: body.webhook_events, tenant: principal.tenant)
        let submission = try producer.prepare(jobRequest)
        let receipt = try await producer.submit(submission)
        var status = "queued"
        if !receipt.created, let existing = try? await directory.view(id: receipt.id, for: principal) {
            status = existing.status
        }
        return try JSONResponse.make(
            Accepted(
                id: receipt.id, status: status, kind: submission.kind, queue: receipt.queue, created: receipt.created,
                urls: JobView.URLs(id: receipt.id)),
            status: receipt.created ? .accepted : .ok, headers: [.location: "/v1/jobs/\(receipt.id)"])
    }

    @Sendable func get(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try JSONResponse.make(try await directory.view(id: context.parameter("id"), for: principal))
    }

    struct ResultBody: Encodable {
        var id: String
        var status: String
        var result: JSONValue?
        var error: JobView.ErrorInfo?
    }

    /// 200 with the result once the job ended (for a failed LLM request, the server's answer
    /// `{"status_code", "body"}` when it gave one); 409 with its status while it has not.
    @Sendable func result(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let (view, text) = try await directory.result(id: context.parameter("id"), for: principal)
        guard view.isTerminal else {
            throw GatewayError(
                .conflict, "job_not_finished", "job \(view.id) is \(view.status); its result is not ready",
                details: ["status": view.status])
        }
        let result = text.flatMap { JSONValue(parsing: $0) ?? .string($0) }
        return try JSONResponse.make(ResultBody(id: view.id, status: view.status, result: result, error: view.error))
    }

    struct CancelBody: Encodable {
        var id: String
        var status: String
        /// `canceled` (it had not started), `cancel_requested` (it is running and will be
        /// interrupted), or `already_ended`.
        var outcome: String
    }

    @Sendable func cancel(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let view = try await directory.view(id: context.parameter("id"), for: principal)
        let outcome: String
        if view.isTerminal {
            outcome = "already_ended"
        } else {
            switch try await directory.broker.cancel(queue: view.queue, jobID: view.id) {
            case .canceled: outcome = "canceled"
            case .requested: outcome = "cancel_requested"
            case .alreadyFinished: outcome = "already_ended"
            }
        }
        let after = try await directory.view(id: view.id, for: principal)
        return try JSONResponse.make(CancelBody(id: view.id, status: after.status, outcome: outcome))
    }

    struct Page: Encodable {
        var object = "list"
        var data: [JobView]
        var next_cursor: String?
        var has_more: Bool
    }

    @Sendable func list(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = request.uri.queryParameters
        var state: JobState?
        if let raw = query["state"] {
            guard let parsed = JobState(rawValue: String(raw)) else {
                throw GatewayError.invalid(
                    field: "state", "must be one of \(JobState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            state = parsed
        }
        let paging = try PageQuery(request, defaultLimit: 50, maxLimit: 500, cursorIs: "a job id")
        // An admin sees every tenant's jobs, so it may list another's; anyone else lists its own.
        let tenant = query["tenant"].map(String.init) ?? principal.tenant
        guard tenant == principal.tenant || principal.role == .admin else {
            throw GatewayError(
                .forbidden, .forbidden, "only an admin lists another tenant's jobs; the caller is a \(principal.role.rawValue)")
        }
        let since = try query["since"].map { try Self.since(String($0)) }
        let page = try await directory.list(
            tenant: tenant, state: state, kind: query["kind"].map(String.init), since: since, before: paging.cursor,
            limit: paging.limit)
        return try JSONResponse.make(Page(data: page.jobs, next_cursor: page.next, has_more: page.next != nil))
    }

    /// `since`: an ISO 8601 time or Unix milliseconds, from 1970 to the last millisecond a job
    /// id's 48 bits hold (the year 10889).
    static func since(_ raw: String) throws -> Date {
        let date =
            Int(raw).map { Date(timeIntervalSince1970: Double($0) / 1000) }
            ?? (try? Date(raw, strategy: .iso8601))
            ?? (try? Date(raw, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        guard let date, date.timeIntervalSince1970 >= 0, date.timeIntervalSince1970 * 1000 < Double(1 << 48) else {
            throw GatewayError.invalid(
                field: "since", "must be an ISO 8601 time or Unix milliseconds, from 1970 on (got '\(raw)')")
        }
        return date
    }
}
