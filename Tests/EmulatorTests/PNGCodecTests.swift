import CLibpng
import Images
import Testing

@Suite("PNG codec")
struct PNGCodecTests {
    @Test("RGBA pixels survive an encode/decode round trip exactly")
    func roundTripsRGBA() throws {
        let pixels = TestImages.gradient(width: 37, height: 21)
        let decoded = try PNGCodec.decode(try PNGCodec.encode(pixels))
        #expect(decoded == pixels)
    }

    @Test("RGB pixels encode as an opaque PNG that decodes to RGBA with alpha 255")
    func encodesRGB() throws {
        let rgb = PNGCodec.Pixels(width: 2, height: 1, channels: 3, bytes: [10, 20, 30, 200, 150, 100])
        let png = try PNGCodec.encode(rgb)
        #expect(try PNGValidator().validate(png) == .init(width: 2, height: 1))
        let decoded = try PNGCodec.decode(png)
        #expect(decoded.bytes == [10, 20, 30, 255, 200, 150, 100, 255])
        #expect(decoded.pixel(x: 1, y: 0) == [200, 150, 100, 255])
    }

    @Test("a grayscale PNG decodes to RGBA with equal channels")
    func decodesGray() throws {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = 3
        image.height = 1
        image.format = velocity_png_format_gray
        let gray: [UInt8] = [0, 128, 255]
        var size = 0
        _ = png_image_write_to_memory(&image, nil, &size, 0, gray, 0, nil)
        var bytes = [UInt8](repeating: 0, count: size)
        _ = png_image_write_to_memory(&image, &bytes, &size, 0, gray, 0, nil)
        png_image_free(&image)
        let decoded = try PNGCodec.decode(Array(bytes.prefix(size)))
        #expect(decoded.bytes == [0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255])
    }

    @Test("broken files and non-PNGs fail with png_decode_failed")
    func refusesBrokenFiles() throws {
        let good = try TestImages.png(width: 64, height: 64)
        for bad in [Array(good.prefix(good.count / 2)), Array("GIF89a....".utf8), []] {
            #expect { try PNGCodec.decode(bad) } throws: { ($0 as? PNGCodecError)?.code == .decodeFailed }
        }
    }

    @Test("a header past the limits is refused before decoding")
    func refusesBombs() throws {
        var limits = ImageLimits()
        limits.maxPixels = 100
        #expect { try PNGCodec.decode(try TestImages.png(width: 20, height: 20), limits: limits) } throws: {
            ($0 as? PNGCodecError)?.code == .imageTooLarge
        }
    }
}
