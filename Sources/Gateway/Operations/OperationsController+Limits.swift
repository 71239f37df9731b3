import Broker
public import Hummingbird

extension OperationsController {
    /// A queue's fair share as `/v1/queues` shows it: each tenant's queued jobs, each capped
    /// subject's running jobs against its cap, parked jobs, throttled claims, and the limits.
    struct FairShareView: Encodable {
        var queued_by_tenant: [String: Int]
        var running: [String: Running]
        var parked: [String: Int]
        var throttled_total: Int
        var limits: QueueLimits

        struct Running: Encodable {
            var running: Int
            var cap: Int?
        }

        init(_ share: QueueFairShare) {
            queued_by_tenant = share.queuedByTenant
            running = share.running.reduce(into: [:]) { views, entry in
                views[entry.key] = Running(running: entry.value, cap: share.limits.cap(for: entry.key))
            }
            parked = share.parked
            throttled_total = share.throttledTotal
            limits = share.limits
        }
    }

    /// `GET /v1/queues/{name}/limits`: the queue's weights, caps and rates.
    @Sendable func limits(_ request: Request, context: GatewayContext) async throws -> Response {
        _ = try context.requirePrincipal()
        return try JSONResponse.make(try await broker.limits(queue: try queueName(context)))
    }

    /// `PUT /v1/queues/{name}/limits`: replaces them (operators), in Postgres and then Redis, so a
    /// Redis that loses its data gets them back at the next reconcile; a rule the broker could
    /// not apply is a 422 naming it, and nothing changes.
    @Sendable func setLimits(_ request: Request, context: GatewayContext) async throws -> Response {
        _ = try context.require(.operator)
        let queue = try queueName(context)
        let limits = try await JSONResponse.decode(QueueLimits.self, from: request, context: context)
        try await control.setLimits(queue: queue, limits)
        return try JSONResponse.make(try await broker.limits(queue: queue))
    }
}
