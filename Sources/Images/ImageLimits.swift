/// Largest image the gateway accepts, whatever its format: a header that claims more is
/// refused before any pixel memory is allocated (decompression bombs).
public struct ImageLimits: Sendable, Equatable {
    public var maxWidth = 8_192
    public var maxHeight = 8_192
    public var maxPixels = 40_000_000

    public init() {}

    /// Throws `image_too_large` (HTTP 413) when `width`×`height` is past a limit.
    public func check(width: Int, height: Int, format: String) throws(UploadError) {
        guard width <= maxWidth, height <= maxHeight, width * height <= maxPixels else {
            throw UploadError(
                .imageTooLarge,
                "\(format) is \(width)×\(height); the limits are \(maxWidth)×\(maxHeight) and \(maxPixels) pixels",
                details: [
                    "width": String(width), "height": String(height), "max_width": String(maxWidth),
                    "max_height": String(maxHeight), "max_pixels": String(maxPixels),
                ])
        }
    }
}
