import Images
import Gateway
import Testing

@Suite("Image validation")
struct ImageValidationTests {
    static func refusal(_ body: () throws -> Any) -> UploadError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? UploadError
        }
    }

    // MARK: detection

    @Test("the format comes from the magic bytes, not from anything the client says")
    func sniffing() {
        #expect(ImageFormat.sniff(ImageSamples.png(width: 2, height: 2)) == .png)
        #expect(ImageFormat.sniff(ImageSamples.jpeg(width: 8, height: 8)) == .jpeg)
        #expect(ImageFormat.sniff(ImageSamples.webpLossy) == .webp)
        #expect(ImageFormat.sniff(Array("GIF89a\u{1}\0\u{1}\0".utf8)) == nil)
        #expect(ImageFormat.sniff(Array("RIFF\0\0\0\0WAVE".utf8)) == nil)
        #expect(ImageFormat.sniff([]) == nil)
    }

    @Test("ImageValidator dispatches by content and reports format, size and bytes")
    func dispatch() throws {
        let png = ImageSamples.png(width: 33, height: 17)
        #expect(try ImageValidator().validate(png) == ValidatedImage(format: .png, width: 33, height: 17, bytes: png.count))
        let jpeg = ImageSamples.jpeg(width: 40, height: 24)
        #expect(
            try ImageValidator().validate(jpeg) == ValidatedImage(format: .jpeg, width: 40, height: 24, bytes: jpeg.count))
        #expect(try ImageValidator().validate(ImageSamples.webpLossless).format == .webp)
        for other in [Array("GIF89a....".utf8), Array("hello, world".utf8), []] {
            #expect(Self.refusal { try ImageValidator().validate(other) }?.code == .unsupportedMediaType)
        }
    }

    @Test("a PNG whose header claims 100000×100000 is refused as too large, not decoded")
    func pngBomb() {
        let bomb = ImageSamples.pngHeaderOnly(width: 100_000, height: 100_000)
        #expect(Self.refusal { try ImageValidator().validate(bomb) }?.code == .imageTooLarge)
    }

    @Test("a truncated PNG is unsupported media")
    func truncatedPNG() {
        let png = ImageSamples.png(width: 64, height: 64)
        for length in [png.count - 13, png.count / 2, 20] {
            #expect(Self.refusal { try ImageValidator().validate(Array(png.prefix(length))) }?.code == .unsupportedMediaType)
        }
    }

    // MARK: JPEG

    @Test("JPEG: width, height and components come from the frame header", arguments: [(8, 8), (640, 480), (17, 1001)])
    func jpegDimensions(width: Int, height: Int) throws {
        let image = try JPEGValidator().validate(ImageSamples.jpeg(width: width, height: height))
        #expect(image == JPEGValidator.Image(width: width, height: height, components: 1, process: 0))
    }

    @Test("JPEG: APPn and COM segments are skipped by their lengths; fill bytes before markers are allowed")
    func jpegSkipsSegments() throws {
        var jpeg = ImageSamples.jpeg(width: 16, height: 16)
        let app1 = ImageSamples.segment(0xE1, Array("Exif\0\0".utf8) + [UInt8](repeating: 0xFF, count: 40))
        let comment = [0xFF] + ImageSamples.segment(0xFE, Array("made by hand".utf8))
        jpeg.insert(contentsOf: app1 + comment, at: 2)
        #expect(try JPEGValidator().validate(jpeg).width == 16)
    }

    @Test("JPEG: every truncation is refused")
    func jpegTruncations() {
        let jpeg = ImageSamples.jpeg(width: 24, height: 24)
        for length in 0..<jpeg.count {
            let error = Self.refusal { try JPEGValidator().validate(Array(jpeg.prefix(length))) }
            #expect(error?.code == .unsupportedMediaType, "prefix of \(length) bytes")
        }
    }

    @Test("JPEG: garbled structure is refused")
    func jpegGarbled() {
        let good = ImageSamples.jpeg(width: 16, height: 8)
        var wrongLength = good
        wrongLength[5] = 0xFF  // DQT length 0x00FF runs past the file
        var noMarker = good
        noMarker[2] = 0x00  // where the DQT marker should be
        var reserved = good
        reserved[3] = 0x10  // FF10 is a reserved marker
        let sofIndex = good.indices.first { good[$0] == 0xFF && good[$0 + 1] == 0xC0 }!
        var zeroWidth = good
        zeroWidth[sofIndex + 7] = 0
        zeroWidth[sofIndex + 8] = 0
        var badComponents = good
        badComponents[sofIndex + 9] = 3  // claims three components in a one-component header
        let sos = good.indices.first { good[$0] == 0xFF && good[$0 + 1] == 0xDA }!
        let scanBeforeFrame = [0xFF, 0xD8] + Array(good[sos...])
        let noScan = Array(good[..<sos]) + [0xFF, 0xD9]
        let secondSOI = [0xFF, 0xD8] + good
        for (name, bad) in [
            ("wrong length", wrongLength), ("no marker", noMarker), ("reserved marker", reserved),
            ("zero width", zeroWidth), ("component count", badComponents), ("scan before frame", scanBeforeFrame),
            ("no scan", noScan), ("second SOI", secondSOI), ("text after SOI", [0xFF, 0xD8] + Array("not a jpeg".utf8)),
        ] {
            #expect(Self.refusal { try JPEGValidator().validate(bad) }?.code == .unsupportedMediaType, "\(name)")
        }
    }

    @Test("JPEG: a frame header past the limits is too large")
    func jpegTooLarge() {
        #expect(Self.refusal { try JPEGValidator().validate(ImageSamples.jpeg(width: 9_000, height: 100)) }?.code == .imageTooLarge)
        var limits = ImageLimits()
        limits.maxPixels = 100
        #expect(Self.refusal { try JPEGValidator(limits: limits).validate(ImageSamples.jpeg(width: 16, height: 16)) }?.code == .imageTooLarge)
    }

    // MARK: WebP

    @Test("WebP: the three layouts of real 1×1 files are accepted")
    func webpSamples() throws {
        #expect(try WebPValidator().validate(ImageSamples.webpLossy) == .init(width: 1, height: 1, encoding: .lossy, extended: false))
        #expect(
            try WebPValidator().validate(ImageSamples.webpLossless) == .init(width: 1, height: 1, encoding: .lossless, extended: false))
        #expect(
            try WebPValidator().validate(ImageSamples.webpExtended) == .init(width: 1, height: 1, encoding: .lossy, extended: true))
    }

    @Test("WebP: dimensions come from the VP8 frame header, the VP8L header and the VP8X canvas")
    func webpDimensions() throws {
        let lossy = ImageSamples.webp([("VP8 ", ImageSamples.vp8(width: 1920, height: 1080))])
        #expect(try WebPValidator().validate(lossy) == .init(width: 1920, height: 1080, encoding: .lossy, extended: false))
        let lossless = ImageSamples.webp([("VP8L", ImageSamples.vp8l(width: 300, height: 7))])
        #expect(try WebPValidator().validate(lossless) == .init(width: 300, height: 7, encoding: .lossless, extended: false))
        let extended = ImageSamples.webp([
            ("VP8X", ImageSamples.vp8x(width: 4000, height: 3000)), ("ICCP", [1, 2, 3]),
            ("VP8L", ImageSamples.vp8l(width: 4000, height: 3000)), ("EXIF", [0, 0]),
        ])
        #expect(try WebPValidator().validate(extended) == .init(width: 4000, height: 3000, encoding: .lossless, extended: true))
    }

    @Test("WebP: every truncation, and a RIFF size that disagrees with the data, are refused")
    func webpTruncations() {
        for sample in [ImageSamples.webpLossy, ImageSamples.webpLossless, ImageSamples.webpExtended] {
            for length in 0..<sample.count {
                let error = Self.refusal { try WebPValidator().validate(Array(sample.prefix(length))) }
                #expect(error?.code == .unsupportedMediaType, "prefix of \(length) bytes")
            }
            #expect(Self.refusal { try WebPValidator().validate(sample + [0, 0]) }?.code == .unsupportedMediaType)
        }
    }

    @Test("WebP: garbled chunks are refused")
    func webpGarbled() {
        let cases: [(String, [UInt8])] = [
            ("unknown first chunk", ImageSamples.webp([("JUNK", [0, 0])])),
            ("no chunks", ImageSamples.webp([])),
            ("interframe", ImageSamples.webp([("VP8 ", [0x01] + Array(ImageSamples.vp8(width: 2, height: 2).dropFirst()))])),
            ("no start code", ImageSamples.webp([("VP8 ", Array(ImageSamples.vp8(width: 2, height: 2).prefix(3)) + [0, 0, 0, 2, 0, 2, 0, 0, 0, 0, 0])])),
            ("partition past the chunk", ImageSamples.webp([("VP8 ", Array(ImageSamples.vp8(width: 2, height: 2, partition: 40).prefix(20)))])),
            ("VP8L signature", ImageSamples.webp([("VP8L", [0x2E] + Array(ImageSamples.vp8l(width: 2, height: 2).dropFirst()))])),
            ("VP8L version", ImageSamples.webp([("VP8L", [0x2F, 0, 0, 0, 0x20, 0, 0, 0])])),
            ("VP8X without image", ImageSamples.webp([("VP8X", ImageSamples.vp8x(width: 2, height: 2))])),
            ("canvas disagrees", ImageSamples.webp([("VP8X", ImageSamples.vp8x(width: 3, height: 2)), ("VP8L", ImageSamples.vp8l(width: 2, height: 2))])),
            ("animation", ImageSamples.webp([("VP8X", ImageSamples.vp8x(width: 2, height: 2, flags: 0x02)), ("ANIM", [0, 0, 0, 0, 0, 0])])),
            ("chunk size past the end", Array("RIFF".utf8) + ImageSamples.littleEndian32(16) + Array("WEBPVP8L".utf8) + ImageSamples.littleEndian32(200) + [0x2F, 0, 0, 0]),
        ]
        for (name, bad) in cases {
            #expect(Self.refusal { try WebPValidator().validate(bad) }?.code == .unsupportedMediaType, "\(name)")
        }
    }

    @Test("WebP: dimensions past the limits are too large")
    func webpTooLarge() {
        let big = ImageSamples.webp([("VP8L", ImageSamples.vp8l(width: 16_000, height: 16_000))])
        #expect(Self.refusal { try WebPValidator().validate(big) }?.code == .imageTooLarge)
    }
}
