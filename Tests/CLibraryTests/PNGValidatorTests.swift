import CLibpng
import Images
import Testing

@Suite("PNG validation")
struct PNGValidatorTests {
    static func png(width: UInt32, height: UInt32) -> [UInt8] {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = width
        image.height = height
        image.format = velocity_png_format_gray
        let pixels = [UInt8](repeating: 7, count: Int(width * height))
        var size = 0
        _ = png_image_write_to_memory(&image, nil, &size, 0, pixels, 0, nil)
        var bytes = [UInt8](repeating: 0, count: size)
        _ = png_image_write_to_memory(&image, &bytes, &size, 0, pixels, 0, nil)
        png_image_free(&image)
        return Array(bytes.prefix(size))
    }

    @Test("a good PNG decodes and reports its size")
    func accepts() throws {
        #expect(try PNGValidator().validate(Self.png(width: 40, height: 30)) == .init(width: 40, height: 30))
    }

    @Test("a decompression bomb is refused from its header, before decoding")
    func refusesBombs() throws {
        var limits = PNGValidator.Limits()
        limits.maxPixels = 1_000
        #expect { try PNGValidator(limits: limits).validate(Self.png(width: 100, height: 100)) } throws: {
            ($0 as? UploadError)?.code == .imageTooLarge
        }
    }

    @Test("a truncated PNG and a non-PNG are unsupported media")
    func refusesBrokenFiles() throws {
        let good = Self.png(width: 64, height: 64)
        for bad in [Array(good.prefix(good.count / 2)), Array("GIF89a....".utf8), []] {
            #expect { try PNGValidator().validate(bad) } throws: { ($0 as? UploadError)?.code == .unsupportedMediaType }
        }
    }
}
