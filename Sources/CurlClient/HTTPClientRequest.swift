/// One HTTP request: method, URL, headers, body and per-request limits.
public struct HTTPClientRequest: Sendable {
    /// What the request sends.
    public enum Body: Sendable {
        case none
        /// Bytes held in memory.
        case bytes([UInt8])
        /// `multipart/form-data`, file parts streamed from disk by libcurl.
        case multipart(MultipartForm)
    }

    public var method: String
    public var url: String
    public var headers: HTTPClientHeaders
    public var body: Body
    /// Overrides the client's connect timeout, in milliseconds.
    public var connectTimeoutMilliseconds: Int?
    /// Overrides the client's total timeout, in milliseconds; 0 means none (long streams).
    public var timeoutMilliseconds: Int?
    /// Overrides the client's response-size limit, in bytes.
    public var maxResponseBytes: Int?
    /// libcurl's `CURLOPT_RESOLVE` entries, `host:port:address`: the addresses to connect to for
    /// these names, so a name whose addresses were checked once is the name connected to (no DNS
    /// rebinding between the check and the connection); TLS still verifies the name.
    public var resolve: [String] = []

    public init(
        method: String = "GET", url: String, headers: HTTPClientHeaders = [:], body: Body = .none,
        timeoutMilliseconds: Int? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// A request whose body is `bytes`, sent with `contentType`.
    public static func bytes(
        _ method: String, _ url: String, _ bytes: [UInt8], contentType: String, headers: HTTPClientHeaders = [:]
    ) -> HTTPClientRequest {
        var headers = headers
        headers.replaceOrAdd("Content-Type", contentType)
        return HTTPClientRequest(method: method, url: url, headers: headers, body: .bytes(bytes))
    }
}
