import JobTracing

extension CurlHTTPClient {
    /// `execute` as a client span of the calling task's trace (a job's backend call), named
    /// `service METHOD /route` and sending its `traceparent` on; plainly outside a trace.
    public func execute(_ request: HTTPClientRequest, tracedAs service: String) async throws -> HTTPClientResponse {
        try await JobTrace.clientCall(
            JobTrace.callName(service, method: request.method, url: request.url),
            attributes: ["http.request.method": request.method, "url.full": request.url]
        ) { call in
            var request = request
            if let traceParent = call.traceParent { request.headers.replaceOrAdd("traceparent", traceParent) }
            let response = try await execute(request)
            call.record(status: response.status)
            return response
        }
    }
}
