import CLibpng

/// Validates uploaded PNGs by decoding them with libpng's simplified API, after checking the
/// header's dimensions, so a decompression bomb is refused before any pixel memory is allocated.
public struct PNGValidator: Sendable {
    /// The same limits as every other image format's.
    public typealias Limits = ImageLimits

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
        try limits.check(width: width, height: height, format: "PNG")
        // Gray needs a quarter of RGBA's memory, and decoding to it still inflates and
        // checks every row and every CRC, which is all validation needs.
        image.format = velocity_png_format_gray
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
