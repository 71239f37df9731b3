import CLibpng

/// Validates uploaded PNGs by decoding them with libpng's simplified API, after checking the
/// header's dimensions, so a decompression bomb is refused before any pixel memory is allocated.
public struct PNGValidator: Sendable {
    public struct Limits: Sendable {
        public var maxWidth = 8_192
        public var maxHeight = 8_192
        public var maxPixels = 40_000_000
        public init() {}
    }

    public struct Image: Sendable, Equatable {
        public var width: Int
        public var height: Int

        public init(width: Int, height: Int) {
            self.width = width
            self.height = height
        }
    }

    public let limits: Limits

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Decodes `data` fully; throws `UploadError` (`unsupported_media_type` for a broken or
    /// non-PNG file, `image_too_large` past the limits).
    public func validate(_ data: [UInt8]) throws -> Image {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_memory(&image, data, data.count) != 0 else {
            throw UploadError(.unsupportedMediaType, "not a readable PNG: \(Self.message(of: &image))")
        }
        let width = Int(image.width)
        let height = Int(image.height)
        guard width <= limits.maxWidth, height <= limits.maxHeight, width * height <= limits.maxPixels else {
            throw UploadError(
                .imageTooLarge,
                "PNG is \(width)×\(height); the limits are \(limits.maxWidth)×\(limits.maxHeight) and \(limits.maxPixels) pixels")
        }
        image.format = velocity_png_format_rgba
        var pixels = [UInt8](repeating: 0, count: velocity_png_image_size(&image))
        guard png_image_finish_read(&image, nil, &pixels, 0, nil) != 0 else {
            throw UploadError(.unsupportedMediaType, "PNG does not decode: \(Self.message(of: &image))")
        }
        return Image(width: width, height: height)
    }

    private static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { buffer in
            String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}
