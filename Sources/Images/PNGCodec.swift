import CLibpng

/// Decodes PNGs to 8-bit RGBA pixels and encodes pixels to PNG, through libpng's simplified
/// `png_image_*` API only: it reports errors in the image's message field, so no setjmp/longjmp
/// ever crosses a Swift frame. Every C buffer is copied into Swift values before it is freed.
public enum PNGCodec {
    /// Decoded pixels: `width × height` pixels of `channels` bytes each, rows top to bottom, no padding.
    public struct Pixels: Sendable, Equatable {
        public var width: Int
        public var height: Int
        /// 4 (RGBA) or 3 (RGB).
        public var channels: Int
        public var bytes: [UInt8]

        /// Pixels of `channels` bytes each; `bytes.count` must be `width * height * channels`.
        public init(width: Int, height: Int, channels: Int = 4, bytes: [UInt8]) {
            precondition(channels == 3 || channels == 4, "PNGCodec pixels are RGB or RGBA")
            precondition(bytes.count == width * height * channels, "pixel buffer does not match the size")
            self.width = width
            self.height = height
            self.channels = channels
            self.bytes = bytes
        }

        /// The pixel at (`x`, `y`): 3 or 4 bytes.
        public func pixel(x: Int, y: Int) -> ArraySlice<UInt8> {
            let start = (y * width + x) * channels
            return bytes[start..<start + channels]
        }
    }

    /// Decodes a whole PNG to RGBA8 (gray, palette, 16-bit and alpha-less files are converted by
    /// libpng). The header's dimensions are checked against `limits` before any pixel memory is
    /// allocated. Throws `PNGCodecError` (`png_decode_failed`, `image_too_large`).
    public static func decode(_ data: [UInt8], limits: ImageLimits = ImageLimits()) throws(PNGCodecError) -> Pixels {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        guard png_image_begin_read_from_memory(&image, data, data.count) != 0 else {
            throw PNGCodecError(.decodeFailed, "not a readable PNG: \(message(of: &image))")
        }
        let width = Int(image.width)
        let height = Int(image.height)
        do {
            try limits.check(width: width, height: height, format: "PNG")
        } catch {
            throw PNGCodecError(.imageTooLarge, error.message)
        }
        image.format = velocity_png_format_rgba
        var pixels = [UInt8](repeating: 0, count: velocity_png_image_size(&image))
        guard png_image_finish_read(&image, nil, &pixels, 0, nil) != 0 else {
            throw PNGCodecError(.decodeFailed, "PNG does not decode: \(message(of: &image))")
        }
        return Pixels(width: width, height: height, channels: 4, bytes: pixels)
    }

    /// Encodes `pixels` (RGB or RGBA, 8 bits per channel) as a PNG file.
    public static func encode(_ pixels: Pixels) throws(PNGCodecError) -> [UInt8] {
        guard pixels.width > 0, pixels.height > 0, pixels.width <= Int(UInt32.max), pixels.height <= Int(UInt32.max)
        else {
            throw PNGCodecError(.encodeFailed, "cannot encode a \(pixels.width)×\(pixels.height) image")
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(pixels.width)
        image.height = UInt32(pixels.height)
        image.format = pixels.channels == 4 ? velocity_png_format_rgba : velocity_png_format_rgb
        defer { png_image_free(&image) }
        // First call sizes the file, second writes it into a Swift-owned buffer.
        var size = 0
        guard png_image_write_to_memory(&image, nil, &size, 0, pixels.bytes, 0, nil) != 0, size > 0 else {
            throw PNGCodecError(.encodeFailed, "PNG encoding failed: \(message(of: &image))")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        guard png_image_write_to_memory(&image, &bytes, &size, 0, pixels.bytes, 0, nil) != 0 else {
            throw PNGCodecError(.encodeFailed, "PNG encoding failed: \(message(of: &image))")
        }
        return Array(bytes.prefix(size))
    }

    private static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { buffer in
            String(decoding: buffer.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
    }
}

/// A PNG that could not be decoded or encoded.
public struct PNGCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let decodeFailed = Code(rawValue: "png_decode_failed")
        public static let encodeFailed = Code(rawValue: "png_encode_failed")
        public static let imageTooLarge = Code(rawValue: "image_too_large")
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
