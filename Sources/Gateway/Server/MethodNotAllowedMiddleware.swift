import HTTPTypes
public import Hummingbird

/// Answers 405 with `Allow` when a path the gateway serves is asked with a method it does not
/// serve there (the router alone answers 404, as if the path did not exist). The methods come
/// from `OpenAPIDocument.operations`, which a test keeps equal to the router's routes.
public struct MethodNotAllowedMiddleware: RouterMiddleware {
    public typealias Context = GatewayContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = OpenAPIDocument.methods(at: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else { throw error }
            let list = allowed.joined(separator: ", ")
            throw GatewayError(
                .methodNotAllowed, .methodNotAllowed, "\(request.method.rawValue) is not served here; this path takes \(list)",
                details: ["allow": list], headers: [.allow: list])
        }
    }
}
