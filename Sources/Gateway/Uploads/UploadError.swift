public import Broker

/// Why an upload was refused; the HTTP layer maps each code to one status.
public struct UploadError: Error, Sendable, CustomStringConvertible {
    public var code: VelocityErrorCode
    public var message: String

    public init(_ code: VelocityErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }
}

extension VelocityErrorCode {
    /// Not an image type we accept, or one that does not decode (HTTP 415).
    public static let unsupportedMediaType: Self = "unsupported_media_type"
    /// Dimensions or pixel count past the limits (HTTP 413).
    public static let imageTooLarge: Self = "image_too_large"
}
