import Hummingbird

/// llama.cpp's behaviour while it loads the model: every route but the model list answers
/// 503 `{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}`.
///
/// Source: `tools/server/server.cpp`, `middleware_server_state` (the same in the later
/// `server-http.cpp`): `/models`, `/v1/models` and `/api/tags` pass while loading; `/` and
/// `*.html` get a loading page. (The project's REFERENCE lists `/v1/models` among the 503
/// routes; the server's source lets it through, and so does the emulator.) The emulator's own
/// `/emulator/…` routes are not the server's and stay open.
struct LoadingGate: RouterMiddleware {
    typealias Context = BasicRequestContext
    let emulator: OpenAIEmulator

    static let open: Set<String> = ["/models", "/v1/models", "/api/tags"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard emulator.isStarting, !Self.open.contains(path), !path.hasPrefix("/emulator/") else {
            return try await next(request, context)
        }
        return EmulatorError.loadingModel.response(style: .llamacpp)
    }
}
