/// Validates uploaded WebP files by structure, as the WebP container specification (RFC 9649)
/// and the VP8 (RFC 6386 §9) and VP8L bitstream headers define them, without decoding pixels.
///
/// Checks the RIFF header (`RIFF`, a size that matches the data, `WEBP`), walks every chunk by
/// its declared size and padding, and reads the dimensions from the `VP8 ` frame header, the
/// `VP8L` header, or the `VP8X` canvas, whose image chunk must agree with it. Animations are
/// refused: a room photo is one still image.
public struct WebPValidator: Sendable {
    public struct Image: Sendable, Equatable {
        public enum Encoding: String, Sendable {
            case lossy = "VP8 "
            case lossless = "VP8L"
        }

        public var width: Int
        public var height: Int
        public var encoding: Encoding
        /// Whether the file came in the extended (`VP8X`) layout.
        public var extended: Bool

        public init(width: Int, height: Int, encoding: Encoding, extended: Bool) {
            self.width = width
            self.height = height
            self.encoding = encoding
            self.extended = extended
        }
    }

    struct Chunk {
        var fourCC: String
        var payload: ArraySlice<UInt8>
    }

    public let limits: ImageLimits

    public init(limits: ImageLimits = ImageLimits()) {
        self.limits = limits
    }

    /// Throws `UploadError`: `unsupported_media_type` for a broken or non-WebP file (or an
    /// animation), `image_too_large` past the limits.
    public func validate(_ data: [UInt8]) throws(UploadError) -> Image {
        guard data.count >= 12, Self.fourCC(data, 0) == "RIFF", Self.fourCC(data, 8) == "WEBP" else {
            throw Self.broken("no RIFF/WEBP header")
        }
        let riffSize = Self.uint32(data, 4)
        guard riffSize + 8 == data.count else {
            throw Self.broken("the RIFF header declares \(riffSize + 8) bytes but the file has \(data.count)")
        }
        guard riffSize % 2 == 0 else { throw Self.broken("odd RIFF size \(riffSize)") }
        let chunks = try Self.chunks(data, from: 12)
        guard let first = chunks.first else { throw Self.broken("no chunks") }
        let image: Image
        switch first.fourCC {
        case "VP8 ":
            guard chunks.count == 1 else { throw Self.broken("a simple lossy file has one chunk, this has \(chunks.count)") }
            image = try Self.lossyHeader(first.payload, extended: false)
        case "VP8L":
            guard chunks.count == 1 else { throw Self.broken("a simple lossless file has one chunk, this has \(chunks.count)") }
            image = try Self.losslessHeader(first.payload, extended: false)
        case "VP8X":
            image = try Self.extended(first.payload, rest: chunks.dropFirst())
        default:
            throw Self.broken("first chunk is '\(first.fourCC)', not VP8, VP8L or VP8X")
        }
        try limits.check(width: image.width, height: image.height, format: "WebP")
        return image
    }

    /// Every chunk after the header: FourCC, uint32 size, payload, a pad byte when the size is odd.
    static func chunks(_ data: [UInt8], from start: Int) throws(UploadError) -> [Chunk] {
        var chunks: [Chunk] = []
        var offset = start
        while offset < data.count {
            guard offset + 8 <= data.count else { throw broken("truncated chunk header at byte \(offset)") }
            let fourCC = fourCC(data, offset)
            let size = uint32(data, offset + 4)
            let end = offset + 8 + size
            guard end <= data.count else {
                throw broken("chunk '\(fourCC)' at byte \(offset) declares \(size) bytes, \(data.count - offset - 8) remain")
            }
            chunks.append(Chunk(fourCC: fourCC, payload: data[(offset + 8)..<end]))
            offset = end + size % 2
            guard offset <= data.count else { throw broken("chunk '\(fourCC)' lacks its padding byte") }
        }
        return chunks
    }

    /// RFC 6386 §9.1: a 3-byte frame tag (key frame, version, show frame, first partition
    /// size), the start code `9D 01 2A`, then 14-bit width and height with 2-bit scales.
    static func lossyHeader(_ payload: ArraySlice<UInt8>, extended: Bool) throws(UploadError) -> Image {
        let p = Array(payload)
        guard p.count >= 10 else { throw broken("VP8 frame header of \(p.count) bytes") }
        let tag = Int(p[0]) | Int(p[1]) << 8 | Int(p[2]) << 16
        guard tag & 1 == 0 else { throw broken("VP8 data is not a key frame") }
        guard (tag >> 1) & 7 <= 3 else { throw broken("unknown VP8 profile \((tag >> 1) & 7)") }
        guard (tag >> 4) & 1 == 1 else { throw broken("VP8 frame is not shown") }
        let firstPartition = tag >> 5
        guard 10 + firstPartition <= p.count else {
            throw broken("VP8 first partition of \(firstPartition) bytes in a \(p.count)-byte chunk")
        }
        guard p[3] == 0x9D, p[4] == 0x01, p[5] == 0x2A else { throw broken("no VP8 start code") }
        let width = (Int(p[6]) | Int(p[7]) << 8) & 0x3FFF
        let height = (Int(p[8]) | Int(p[9]) << 8) & 0x3FFF
        guard width > 0, height > 0 else { throw broken("VP8 frame of \(width)×\(height)") }
        return Image(width: width, height: height, encoding: .lossy, extended: extended)
    }

    /// The VP8L header: signature `2F`, then 14 bits width − 1, 14 bits height − 1, 1 bit
    /// alpha, 3 bits version (0), least significant bit first.
    static func losslessHeader(_ payload: ArraySlice<UInt8>, extended: Bool) throws(UploadError) -> Image {
        let p = Array(payload)
        guard p.count >= 5 else { throw broken("VP8L header of \(p.count) bytes") }
        guard p[0] == 0x2F else { throw broken("no VP8L signature") }
        let bits = Int(p[1]) | Int(p[2]) << 8 | Int(p[3]) << 16 | Int(p[4]) << 24
        guard bits >> 29 == 0 else { throw broken("VP8L version \(bits >> 29)") }
        let width = (bits & 0x3FFF) + 1
        let height = ((bits >> 14) & 0x3FFF) + 1
        return Image(width: width, height: height, encoding: .lossless, extended: extended)
    }

    /// VP8X: flags, 3 reserved bytes, uint24 canvas width − 1, uint24 canvas height − 1; then
    /// optional ICCP and ALPH, one VP8/VP8L image of the canvas's size, unknown chunks ignored.
    static func extended(_ payload: ArraySlice<UInt8>, rest: ArraySlice<Chunk>) throws(UploadError) -> Image {
        let p = Array(payload)
        guard p.count >= 10 else { throw broken("VP8X chunk of \(p.count) bytes") }
        let flags = p[0]
        let animation: UInt8 = 0x02
        guard flags & animation == 0 else { throw broken("animated WebP is not accepted; send one still image") }
        let canvasWidth = (Int(p[4]) | Int(p[5]) << 8 | Int(p[6]) << 16) + 1
        let canvasHeight = (Int(p[7]) | Int(p[8]) << 8 | Int(p[9]) << 16) + 1
        guard canvasWidth * canvasHeight <= Int(UInt32.max) else {
            throw broken("canvas of \(canvasWidth)×\(canvasHeight) is past 2^32 − 1 pixels")
        }
        let images = rest.filter { $0.fourCC == "VP8 " || $0.fourCC == "VP8L" }
        guard images.count == 1, let chunk = images.first else {
            throw broken("an extended still image needs one VP8 or VP8L chunk, this has \(images.count)")
        }
        guard !rest.contains(where: { $0.fourCC == "ANIM" || $0.fourCC == "ANMF" }) else {
            throw broken("animation chunks without the animation flag")
        }
        let image =
            chunk.fourCC == "VP8 "
            ? try lossyHeader(chunk.payload, extended: true) : try losslessHeader(chunk.payload, extended: true)
        guard image.width == canvasWidth, image.height == canvasHeight else {
            throw broken("canvas is \(canvasWidth)×\(canvasHeight) but the image is \(image.width)×\(image.height)")
        }
        return image
    }

    static func fourCC(_ data: [UInt8], _ offset: Int) -> String {
        String(decoding: data[offset..<(offset + 4)], as: UTF8.self)
    }

    static func uint32(_ data: [UInt8], _ offset: Int) -> Int {
        Int(data[offset]) | Int(data[offset + 1]) << 8 | Int(data[offset + 2]) << 16 | Int(data[offset + 3]) << 24
    }

    static func broken(_ why: String) -> UploadError {
        UploadError(.unsupportedMediaType, "not a valid WebP: \(why)")
    }
}
