public import CurlClient
import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization
import VelocityTypes

/// Sends the webhooks the job records owe, from the `webhook_deliveries` outbox.
///
/// Every `pollInterval` it leases the due deliveries it has room for, signs each with the
/// tenant's secrets (Standard Webhooks), checks the destination again (SSRF, pinned to the
/// checked addresses), and `POST`s it with no redirects. A 2xx delivers it. A timeout, a broken
/// connection, 408, 429 or a 5xx is tried again with backoff (honouring `Retry-After`) for up
/// to a day; any other answer fails it. Every attempt is recorded. At most
/// `perDestination` requests to one host are in flight, so one slow receiver cannot take the
/// whole sender. Several senders (gateways) may run: leases keep them off each other's rows.
public struct WebhookDeliveryService: Service {
    public struct Configuration: Sendable {
        public var pollInterval: Duration = .milliseconds(200)
        /// Requests in flight in this sender.
        public var maxInFlight = 64
        /// Requests in flight to one host.
        public var perDestination = 16
        public var requestTimeout: Duration = .seconds(10)
        /// How long a leased delivery is this sender's: longer than a request.
        public var lease: Duration = .seconds(60)
        /// Let webhooks reach loopback and private addresses (tests, a receiver on the same LAN).
        public var allowInternal = false
        /// Hears how each attempt ended: `delivered`, `retried` or `failed` (the gateway's metrics).
        public var onAttempt: @Sendable (String) -> Void = { _ in }
        public var retry = WebhookRetryPolicy()

        public init() {}
    }

    let store: WebhookStore
    let http: CurlHTTPClient
    let configuration: Configuration
    let logger: Logger
    private let slots: DestinationSlots
    /// Tenants' signing secrets, re-read every few seconds rather than per delivery (a
    /// rotation keeps the old secret signing far longer than that).
    private let secrets = SecretCache(lifetime: .seconds(5))

    public init(store: WebhookStore, http: CurlHTTPClient, configuration: Configuration = Configuration(), logger: Logger) {
        self.store = store
        self.http = http
        self.configuration = configuration
        self.logger = logger
        self.slots = DestinationSlots(perDestination: configuration.perDestination)
    }

    public func run() async throws {
        let inFlight = InFlightCount()
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                let room = configuration.maxInFlight - inFlight.value
                guard room > 0 else {
                    // Full: a slot frees as soon as a receiver answers.
                    try? await Task.sleep(for: .milliseconds(5))
                    continue
                }
                var claimed: [WebhookDelivery] = []
                do {
                    claimed = try await store.claimDue(limit: room, lease: configuration.lease)
                } catch {
                    logger.warning("cannot read the webhook outbox: \(error)")
                }
                for delivery in claimed {
                    // One slow host must not hold every slot: what it cannot take soon goes back.
                    if let host = try? WebhookDestination(delivery.url).host, slots.isSaturated(host) {
                        try? await store.unclaim(delivery, after: .seconds(1))
                        continue
                    }
                    inFlight.add(1)
                    group.addTask {
                        await deliver(delivery)
                        inFlight.add(-1)
                    }
                }
                // Only an outbox with nothing due waits a poll interval.
                if claimed.isEmpty { try? await Task.sleep(for: configuration.pollInterval) }
            }
        }
    }

    /// One attempt of one delivery, recorded whatever happens.
    func deliver(_ delivery: WebhookDelivery) async {
        let started = ContinuousClock.now
        let destination: WebhookDestination
        do {
            destination = try WebhookDestination(delivery.url)
        } catch {
            await finish(delivery, status: nil, error: error.message, started: started, outcome: .failed)
            return
        }
        await slots.acquire(destination.host)
        defer { slots.release(destination.host) }
        // Waited long for the host: with too little lease left, another sender may take it while
        // this request runs. Leave it to the lease's end (nothing is recorded).
        guard delivery.claimedAt.duration(to: .now) + configuration.requestTimeout + .seconds(5) < configuration.lease else {
            logger.debug("webhook \(delivery.id): its lease ran low while waiting for \(destination.host); left for later")
            return
        }
        let addresses: [String]
        do {
            addresses = try await destination.resolve(allowInternal: configuration.allowInternal)
        } catch let error as WebhookError where error.message.contains("resolves to") {
            // Internal now (DNS rebinding, or it always was): never sent, never retried.
            await finish(delivery, status: nil, error: error.message, started: started, outcome: .failed)
            return
        } catch {
            await finish(delivery, status: nil, error: "\(error)", started: started, outcome: retryOrFail(delivery, nil))
            return
        }
        guard let data = delivery.document else {
            await finish(delivery, status: nil, error: "job \(delivery.jobID) is gone", started: started, outcome: .failed)
            return
        }
        let body = Self.body(event: delivery.event, occurredMilliseconds: delivery.occurredMilliseconds, data: data)
        let secrets: [WebhookSecret]
        do {
            secrets = try await self.secrets.get(delivery.tenant) { try await store.signingSecrets(tenant: $0) }
        } catch {
            // Postgres away: the lease runs out and the delivery comes round again.
            logger.warning("webhook \(delivery.id): cannot read its job or secrets: \(error)")
            return
        }
        let timestamp = Int(Date().timeIntervalSince1970)
        var request = HTTPClientRequest.bytes(
            "POST", delivery.url, body, contentType: "application/json",
            headers: [
                "webhook-id": delivery.id, "webhook-timestamp": String(timestamp),
                "webhook-signature": WebhookSigner.header(id: delivery.id, timestamp: timestamp, body: body, secrets: secrets),
            ])
        request.resolve = destination.resolveEntries(addresses)
        request.timeoutMilliseconds = configuration.requestTimeout.milliseconds
        request.maxResponseBytes = 64 * 1024
        do {
            let response = try await http.execute(request)
            let status = response.status
            if (200..<300).contains(status) {
                await finish(delivery, status: status, error: nil, started: started, outcome: .delivered)
            } else if status == 408 || status == 429 || status >= 500 {
                let retryAfter = WebhookRetryPolicy.retryAfter(response.headers["Retry-After"])
                await finish(
                    delivery, status: status, error: "HTTP \(status)", started: started,
                    outcome: retryOrFail(delivery, retryAfter))
            } else {
                await finish(delivery, status: status, error: "HTTP \(status)", started: started, outcome: .failed)
            }
        } catch {
            await finish(delivery, status: nil, error: "\(error)", started: started, outcome: retryOrFail(delivery, nil))
        }
    }

    private func retryOrFail(_ delivery: WebhookDelivery, _ retryAfter: Duration?) -> WebhookStore.Outcome {
        let delay = configuration.retry.delay(afterAttempt: delivery.attempt, retryAfter: retryAfter)
        return configuration.retry.allowsRetry(age: .milliseconds(delivery.ageMilliseconds), delay: delay)
            ? .retry(after: delay) : .failed
    }

    private func finish(
        _ delivery: WebhookDelivery, status: Int?, error: String?, started: ContinuousClock.Instant, outcome: WebhookStore.Outcome
    ) async {
        let latency = (ContinuousClock.now - started).milliseconds
        do {
            try await store.record(delivery, status: status, error: error, latencyMilliseconds: latency, outcome: outcome)
        } catch {
            logger.warning("webhook \(delivery.id): attempt \(delivery.attempt) not recorded: \(error)")
        }
        switch outcome {
        case .delivered: configuration.onAttempt("delivered")
        case .retry: configuration.onAttempt("retried")
        case .failed: configuration.onAttempt("failed")
        }
        switch outcome {
        case .delivered: logger.debug("webhook \(delivery.id) delivered to \(delivery.url) in \(latency) ms")
        case .retry(let after): logger.info("webhook \(delivery.id) to \(delivery.url): \(error ?? "?"); again in \(after)")
        case .failed: logger.warning("webhook \(delivery.id) to \(delivery.url) failed for good: \(error ?? "?")")
        }
    }

    /// `{"type", "timestamp", "data"}`, Standard Webhooks' payload shape; the same bytes on
    /// every attempt of a delivery (the time is the event's, not the attempt's).
    static func body(event: String, occurredMilliseconds: Int, data: JSONValue) -> [UInt8] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let time = formatter.string(from: Date(timeIntervalSince1970: Double(occurredMilliseconds) / 1000))
        return JSONValue.object(["type": .string(event), "timestamp": .string(time), "data": data]).jsonBytes
    }
}

/// Values per tenant, read again once `lifetime` has passed.
final class SecretCache: Sendable {
    private let lifetime: Duration
    private let entries = Mutex<[String: (secrets: [WebhookSecret], read: ContinuousClock.Instant)]>([:])

    init(lifetime: Duration) {
        self.lifetime = lifetime
    }

    func get(_ tenant: String, read: (String) async throws -> [WebhookSecret]) async throws -> [WebhookSecret] {
        if let entry = entries.withLock({ $0[tenant] }), entry.read.duration(to: .now) < lifetime { return entry.secrets }
        let secrets = try await read(tenant)
        entries.withLock { $0[tenant] = (secrets, .now) }
        return secrets
    }
}

/// The sender's requests in flight.
final class InFlightCount: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .relaxed) }
    func add(_ delta: Int) { count.add(delta, ordering: .relaxed) }
}

/// At most N requests in flight per host; the rest wait their turn in order.
final class DestinationSlots: Sendable {
    private let perDestination: Int
    private let state = Mutex<[String: (busy: Int, waiting: [CheckedContinuation<Void, Never>])]>([:])

    init(perDestination: Int) {
        self.perDestination = max(1, perDestination)
    }

    func acquire(_ host: String) async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { table -> Bool in
                var entry = table[host] ?? (0, [])
                defer { table[host] = entry }
                if entry.busy < perDestination {
                    entry.busy += 1
                    return true
                }
                entry.waiting.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Its slots are busy and as many wait: more would only wait longer.
    func isSaturated(_ host: String) -> Bool {
        state.withLock { table in
            guard let entry = table[host] else { return false }
            return entry.busy >= perDestination && entry.waiting.count >= perDestination
        }
    }

    func release(_ host: String) {
        let next = state.withLock { table -> CheckedContinuation<Void, Never>? in
            guard var entry = table[host] else { return nil }
            if entry.waiting.isEmpty {
                entry.busy -= 1
                table[host] = entry.busy == 0 ? nil : entry
                return nil
            }
            let first = entry.waiting.removeFirst()
            table[host] = entry
            return first
        }
        next?.resume()
    }
}
