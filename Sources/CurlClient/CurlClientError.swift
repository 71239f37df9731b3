public import VelocityTypes

/// A failed HTTP transfer: the request never got a complete response.
///
/// A response with a 4xx or 5xx status is not an error: it comes back as an `HTTPClientResponse`.
public struct CurlClientError: VelocityError {
    public var code: VelocityErrorCode
    public var message: String
    /// The libcurl result code, when libcurl reported the failure.
    public var curlCode: Int?
    public var cause: (any Error & Sendable)?

    public init(_ code: VelocityErrorCode, _ message: String, curlCode: Int? = nil, cause: (any Error & Sendable)? = nil) {
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

extension VelocityErrorCode {
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
    /// A local file (upload source, download target) could not be read or written.
    public static let fileError: Self = "file_error"
    /// The connection broke, or the server answered something that is not HTTP.
    public static let network: Self = "network"
}
