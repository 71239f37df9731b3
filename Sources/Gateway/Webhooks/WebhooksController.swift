import Broker
import Foundation
import Hummingbird
import Webhooks

/// A tenant's webhooks: `GET`/`PUT /v1/webhooks` (the default URL and events for jobs that name
/// none, and the secrets that sign: the tenant's operators configure receivers with them, as
/// Stripe's and Svix's dashboards reveal theirs), `POST /v1/webhooks/secrets` (a new secret; the old ones
/// keep signing for `overlap_seconds`, 24 h by default, so receivers switch without a gap), and
/// `GET /v1/jobs/{id}/webhooks` (a job's deliveries, each attempt with its status and latency).
struct WebhooksController: Sendable {
    let store: WebhookStore
    let policy: WebhookPolicy
    let directory: JobDirectory

    func addRoutes(to router: Router<GatewayContext>) {
        router.get("/v1/webhooks", use: settings)
        router.put("/v1/webhooks", use: update)
        router.post("/v1/webhooks/secrets", use: rotate)
        router.get("/v1/jobs/{id}/webhooks", use: deliveries)
    }

    struct SettingsBody: Encodable {
        struct Secret: Encodable {
            var id: String
            var secret: String
            var created_at: String
            var expires_at: String?
        }
        var object = "webhook_settings"
        var url: String?
        var events: [String]
        var secrets: [Secret]
    }

    @Sendable func settings(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.operator)
        return try JSONResponse.make(try await body(tenant: principal.tenant))
    }

    struct Update: Decodable {
        var url: String?
        var events: [String]?
    }

    @Sendable func update(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.operator)
        let update = try await JSONResponse.decode(Update.self, from: request, context: context)
        if let url = update.url { try await policy.check(url, field: "url") }
        let events = update.events ?? JobWebhook.allEvents
        // A tenant's default serves jobs and, for the events it names of theirs, OpenAI batches
        // and CRM imports.
        try WebhookPolicy.checkEvents(events, field: "events", allowed: WebhookPolicy.tenantEvents)
        try await store.setSettings(tenant: principal.tenant, .init(url: update.url, events: events))
        policy.forget(principal.tenant)
        return try JSONResponse.make(try await body(tenant: principal.tenant))
    }

    struct Rotate: Decodable {
        var overlap_seconds: Int?
    }

    struct Rotated: Encodable {
        var object = "webhook_secret"
        var id: String
        /// Configure the receiver with it (`GET /v1/webhooks` shows it again to operators).
        var secret: String
        var previous_secrets_expire_in_seconds: Int
    }

    @Sendable func rotate(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.operator)
        var overlap = 86_400
        if let seconds = try await JSONResponse.decodeIfPresent(Rotate.self, from: request, context: context)?
            .overlap_seconds
        {
            guard (0...604_800).contains(seconds) else {
                throw GatewayError.invalid(field: "overlap_seconds", "must be between 0 and 604800 (7 days)")
            }
            overlap = seconds
        }
        let (id, secret) = try await store.rotateSecret(tenant: principal.tenant, overlap: .seconds(overlap))
        return try JSONResponse.make(
            Rotated(id: id, secret: secret.text, previous_secrets_expire_in_seconds: overlap), status: .created)
    }

    @Sendable func deliveries(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        // 404 unless the caller may see the job.
        let view = try await directory.view(id: context.parameter("id"), for: principal)
        let list = try await store.deliveries(jobID: view.id, tenant: view.tenant)
        return try JSONResponse.make(JSONValue.object(["object": .string("list"), "data": list]))
    }

    private func body(tenant: String) async throws -> SettingsBody {
        let settings = try await store.settings(tenant: tenant)
        _ = try await store.signingSecrets(tenant: tenant)
        let secrets = try await store.secrets(tenant: tenant)
        return SettingsBody(
            url: settings?.url, events: settings?.events ?? JobWebhook.allEvents,
            secrets: secrets.map { .init(id: $0.id, secret: $0.secret, created_at: $0.createdAt, expires_at: $0.expiresAt) })
    }
}
