import Foundation
public import Hummingbird

/// Refuses, with a 422 naming the parameter, a request whose path or query carries U+0000
/// (`%00`): no id, name or filter has one, and neither PostgreSQL text nor a file name can hold
/// it, so it would otherwise reach a query and fail there as a 500.
public struct NULTextMiddleware: RouterMiddleware {
    public typealias Context = GatewayContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        if path.contains("%00") || path.removingPercentEncoding?.contains("\u{0}") == true {
            throw GatewayError.nulText(field: "path")
        }
        // Names come as sent (the router decodes only values), so a name is named as sent.
        for (name, value) in request.uri.queryParameters
        where name.contains("%00") || name.removingPercentEncoding?.contains("\u{0}") == true || value.contains("\u{0}") {
            throw GatewayError.nulText(field: String(name))
        }
        return try await next(request, context)
    }
}
