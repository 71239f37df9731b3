import Broker
import Foundation
import GPUBox
import HTTPTypes
import Hummingbird
import NIOCore

/// The built-in dashboard: its page at `/` and files at `/dashboard/…` (public: the page signs
/// in with the caller's key, kept by the browser for the session), `GET /v1/me` (who the key
/// is) and `GET /v1/dashboard/overview` (queues with their last hour, boxes, alerts).
struct DashboardController: Sendable {
    let assets: DashboardAssets
    let broker: any JobBroker
    let queues: [String]
    let boxes: BoxStateStore
    let history: DashboardHistory

    /// Paths the auth middleware lets through: the page and its files, never the data.
    static let publicPaths: Set<String> = ["/", "/dashboard", "/dashboard/"]
    static let publicPrefix = "/dashboard/"

    func addRoutes(to router: Router<GatewayContext>) {
        router.get("/", use: index)
        router.get("/dashboard", use: index)
        router.get("/dashboard/**", use: file)
        router.get("/v1/me", use: me)
        router.get("/v1/dashboard/overview", use: overview)
    }

    @Sendable func index(_ request: Request, context: GatewayContext) async throws -> Response {
        try serve("index.html")
    }

    @Sendable func file(_ request: Request, context: GatewayContext) async throws -> Response {
        let path = context.parameters.getCatchAll().joined(separator: "/")
        // Deep links (`/dashboard/jobs`) get the page, which routes by its hash.
        return try serve(path.isEmpty || !path.contains(".") ? "index.html" : path)
    }

    func serve(_ path: String) throws -> Response {
        guard let asset = assets.files[path] else {
            guard !assets.files.isEmpty else {
                throw GatewayError(
                    .notFound, "dashboard_not_installed",
                    "the dashboard's files are not installed: copy \(DashboardAssets.bundleName) from the build next to the velocity binary, or set dashboard_directory to its site folder"
                )
            }
            throw GatewayError.notFound("dashboard file '\(path)'")
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: asset.contentType, .contentLength: String(asset.bytes.count), .cacheControl: "no-cache",
                .contentSecurityPolicy: DashboardAssets.contentSecurityPolicy, .xContentTypeOptions: "nosniff",
                HTTPField.Name("Referrer-Policy")!: "no-referrer", HTTPField.Name("X-Frame-Options")!: "DENY",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    struct Me: Encodable {
        var tenant: String
        var subject: String
        var role: String
    }

    @Sendable func me(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try JSONResponse.make(Me(tenant: principal.tenant, subject: principal.subject, role: principal.role.rawValue))
    }

    struct QueueOverview: Encodable {
        var name: String
        var paused: Bool
        var depth: [String: Int]
        var oldest_waiting_ms: Int
        var series: [QueueSeriesPoint]
    }

    struct Overview: Encodable {
        var interval_ms: Int
        var queues: [QueueOverview]
        var alerts: [DashboardAlert]
        var boxes: [BoxController.BoxPayload]
        var dead_total: Int
    }

    /// Now, read live, after the sampled history: the charts end at the present, and a fresh
    /// gateway shows the present before its first sample.
    @Sendable func overview(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let views = try await boxes.boxes()
        let now = try await DashboardSampler.sample(broker: broker, queues: queues, boxes: views)
        let (samples, alerts) = history.withPresent(now)
        return try JSONResponse.make(
            Overview(
                interval_ms: history.intervalMilliseconds,
                queues: now.queues.map { depth in
                    QueueOverview(
                        name: depth.queue, paused: depth.paused,
                        depth: depth.countsByState,
                        oldest_waiting_ms: depth.oldestQueuedMilliseconds,
                        series: QueueSeriesPoint.series(of: depth.queue, in: samples))
                },
                alerts: alerts,
                boxes: try await BoxController.payloads(views, broker: broker, showOutput: principal.role >= .operator),
                dead_total: now.queues.reduce(0) { $0 + $1.dead }))
    }
}
