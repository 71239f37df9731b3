extension CurlHTTPClient {
    /// Sends `request` and writes a 2xx response's body to `path`, through `path.part` renamed
    /// at the end, so `path` appears only complete. Any other status leaves `path` alone and
    /// comes back with its body in memory (an error report), like `execute`.
    ///
    /// The returned response's body is empty for a 2xx. `progress` runs on the transfer's
    /// thread: keep it short.
    public func download(
        _ request: HTTPClientRequest, to path: String, progress: (@Sendable (TransferProgress) -> Void)? = nil
    ) async throws -> HTTPClientResponse {
        let transfer = makeTransfer(request, sink: .file(path: path), progress: progress)
        return try await run(transfer)
    }

    /// Sends `form` as `multipart/form-data` (POST unless `request.method` says otherwise),
    /// streaming file parts from disk, and collects the response.
    public func upload(
        _ request: HTTPClientRequest, form: MultipartForm, progress: (@Sendable (TransferProgress) -> Void)? = nil
    ) async throws -> HTTPClientResponse {
        var request = request
        request.body = .multipart(form)
        if request.method == "GET" { request.method = "POST" }
        return try await execute(request, progress: progress)
    }
}
