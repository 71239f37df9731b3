/// A failed HTTP transfer: the request never got a complete response.
///
/// A response with a 4xx or 5xx status is not an error: it comes back as an `HTTPClientResponse`.
public struct CurlClientError: Error, CustomStringConvertible, Sendable {
    /// A stable, extensible error code, matched by callers and logs.
    ///
    /// Declared like the project's `VelocityErrorCode` (which lives in Broker, a module this
    /// one must not depend on), so new codes are additions, not breaking changes.
    public struct Code: Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }

        /// Nothing accepted the connection (no server on that port).
        public static let connectionRefused: Self = "connection_refused"
        /// The host name did not resolve.
        public static let hostNotFound: Self = "host_not_found"
        /// The connect or total timeout passed.
        public static let timeout: Self = "timeout"
        /// The TLS handshake or the peer's certificate failed.
        public static let tls: Self = "tls"
        /// The response body grew past the configured limit.
        public static let responseTooLarge: Self = "response_too_large"
        /// The calling task was cancelled, or the client was shut down, and the transfer aborted.
        public static let cancelled: Self = "cancelled"
        /// The URL or the request could not be used as given.
        public static let invalidRequest: Self = "invalid_request"
        /// A local file (upload source, download target) could not be read or written.
        public static let fileError: Self = "file_error"
        /// The connection broke, or the server answered something that is not HTTP.
        public static let network: Self = "network"
        /// libcurl itself failed (out of memory, a handle that would not initialise).
        public static let internalError: Self = "internal"
    }

    public var code: Code
    public var message: String
    /// The libcurl result code, when libcurl reported the failure.
    public var curlCode: Int?
    public var cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, curlCode: Int? = nil, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.curlCode = curlCode
        self.cause = cause
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let curlCode { text += " (curl \(curlCode))" }
        if let cause { text += " (cause: \(cause))" }
        return text
    }
}
