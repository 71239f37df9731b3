public import Hummingbird

extension Gateway {
    /// Every route of the gateway, behind metrics, error mapping and authentication.
    ///
    /// Each area adds its own routes; `OpenAPIDocument` describes them all and a test keeps the
    /// two in step.
    public func makeRouter() -> Router<GatewayContext> {
        let router = Router(context: GatewayContext.self)
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: AuthMiddleware(keys: keys, jwt: jwt, rateLimiter: rateLimiter))
        JobsController(producer: producer, directory: directory, events: events)
            .addRoutes(to: router)
        OperationsController(gateway: self).addRoutes(to: router)
        BatchAPIController(gateway: self).addRoutes(to: router)
        DreamWeaverController(gateway: self).addRoutes(to: router)
        BoxController(gateway: self).addRoutes(to: router)
        return router
    }
}
