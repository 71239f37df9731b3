import Broker
import Foundation
import Synchronization
import Webhooks

/// What a submitted job's webhook is: its own `webhook_url` (checked: an absolute http(s) URL
/// whose addresses are public, unless the operator allows internal ones), else its tenant's
/// default, read from Postgres at most every 10 s per tenant.
final class WebhookPolicy: Sendable {
    let store: WebhookStore
    let allowInternal: Bool
    private let defaults = Mutex<[String: (settings: WebhookStore.Settings?, read: ContinuousClock.Instant)]>([:])
    static let defaultsLifetime: Duration = .seconds(10)

    init(store: WebhookStore, allowInternal: Bool) {
        self.store = store
        self.allowInternal = allowInternal
    }

    /// The webhook of a job `tenant` submits with `url` and `events` (both optional). Without
    /// `resolving`, the URL's addresses are not looked up (a schedule's job at its tick: the URL
    /// was checked when the schedule was saved, the sender checks it again at delivery, and a
    /// DNS hiccup at the tick must not cost the tick its job).
    func webhook(url: String?, events: [String]?, tenant: String, resolving: Bool = true) async throws -> JobWebhook? {
        if let events {
            try Self.checkEvents(events, field: "webhook_events")
            guard url != nil else { throw GatewayError.invalid(field: "webhook_events", "needs a webhook_url") }
        }
        if let url {
            if resolving { try await check(url, field: "webhook_url") }
            return JobWebhook(url: url, events: events)
        }
        guard let settings = try await tenantDefaults(tenant), let url = settings.url else { return nil }
        // A default that names only batch or import events gives jobs no webhook.
        let events = settings.events.filter(Self.jobEvents.contains)
        return events.isEmpty ? nil : JobWebhook(url: url, events: events)
    }

    /// Refuses a URL that is malformed or points inside the network, naming `field`.
    func check(_ url: String, field: String) async throws {
        do {
            _ = try await WebhookDestination(url).resolve(allowInternal: allowInternal)
        } catch let error as WebhookError {
            throw GatewayError(.unprocessableContent, error.code, "\(field): \(error.message)", details: ["field": field])
        }
    }

    /// The events a job's webhook may name: its ends, and progress milestones.
    static let jobEvents = JobWebhook.allEvents + [JobWebhook.progressEvent]

    static func checkEvents(_ events: [String], field: String, allowed: [String] = jobEvents) throws {
        guard !events.isEmpty else { throw GatewayError.invalid(field: field, "must name at least one event") }
        for event in events where !allowed.contains(event) {
            throw GatewayError.invalid(field: field, "'\(event)' is not one of \(allowed.joined(separator: ", "))")
        }
    }

    /// The webhook of something other than a job (an OpenAI batch, a CRM import) `tenant`
    /// makes with `url` and `events` (both optional), whose events are `allowed`: its own, else
    /// the tenant's default URL for the allowed events the tenant's settings name.
    func webhook(url: String?, events: [String]?, tenant: String, allowed: [String]) async throws -> JobWebhook? {
        if let events {
            try Self.checkEvents(events, field: "webhook_events", allowed: allowed)
            guard url != nil else { throw GatewayError.invalid(field: "webhook_events", "needs a webhook_url") }
        }
        if let url {
            try await check(url, field: "webhook_url")
            return JobWebhook(url: url, events: events ?? allowed)
        }
        guard let settings = try await tenantDefaults(tenant), let url = settings.url else { return nil }
        let wanted = settings.events.filter(allowed.contains)
        return wanted.isEmpty ? nil : JobWebhook(url: url, events: wanted)
    }

    /// Every event a tenant's default may name.
    static let tenantEvents = jobEvents + JobWebhook.batchEvents + JobWebhook.crmImportEvents

    func tenantDefaults(_ tenant: String) async throws -> WebhookStore.Settings? {
        let cached = defaults.withLock { $0[tenant] }
        if let cached, cached.read.duration(to: .now) < Self.defaultsLifetime { return cached.settings }
        let settings = try await store.settings(tenant: tenant)
        defaults.withLock { $0[tenant] = (settings, .now) }
        return settings
    }

    /// Forgets a tenant's cached defaults (they were just changed here).
    func forget(_ tenant: String) {
        _ = defaults.withLock { $0.removeValue(forKey: tenant) }
    }
}
