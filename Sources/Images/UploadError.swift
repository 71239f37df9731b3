public import VelocityTypes

/// Why an upload was refused; the HTTP layer maps each code to one status (`gatewayError`).
public struct UploadError: VelocityError {
    public var code: VelocityErrorCode
    public var message: String
    /// What a program can act on: the field at fault, the limit exceeded.
    public var details: [String: String]

    public init(_ code: VelocityErrorCode, _ message: String, details: [String: String] = [:]) {
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(code): \(message)" }
}

extension VelocityErrorCode {
    /// Not an image type we accept, or one that does not decode (HTTP 415).
    public static let unsupportedMediaType: Self = "unsupported_media_type"
    /// Dimensions or pixel count past the limits (HTTP 413).
    public static let imageTooLarge: Self = "image_too_large"
    /// A multipart body that does not parse: no boundary, a broken part, a truncated body (HTTP 400).
    public static let malformedMultipart: Self = "malformed_multipart"
}
