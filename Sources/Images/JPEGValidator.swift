/// Validates uploaded JPEGs by structure (ITU T.81, Annex B), without decoding pixels.
///
/// Walks the marker segments from SOI, each by its declared length, reads the frame header
/// (SOFn) for the dimensions and component count, skips every scan's entropy-coded data,
/// and requires EOI: a truncated or garbled file, or one whose frame header claims more
/// than the limits, is refused before a decoder ever sees it.
public struct JPEGValidator: Sendable {
    public struct Image: Sendable, Equatable {
        public var width: Int
        public var height: Int
        /// 1 (gray), 3 (YCbCr) or 4 (CMYK).
        public var components: Int
        /// The SOF marker's low nibble: 0 baseline, 1 extended, 2 progressive, 3 lossless, ….
        public var process: Int

        public init(width: Int, height: Int, components: Int, process: Int) {
            self.width = width
            self.height = height
            self.components = components
            self.process = process
        }
    }

    public let limits: ImageLimits

    public init(limits: ImageLimits = ImageLimits()) {
        self.limits = limits
    }

    /// Throws `UploadError`: `unsupported_media_type` for a broken or non-JPEG file,
    /// `image_too_large` past the limits.
    public func validate(_ data: [UInt8]) throws(UploadError) -> Image {
        guard data.count >= 4, data[0] == 0xFF, data[1] == 0xD8 else { throw Self.broken("no SOI marker") }
        var offset = 2
        var frame: Image?
        var scans = 0
        while true {
            let marker = try Self.marker(in: data, at: &offset)
            switch marker {
            case 0xD9:  // EOI
                guard let frame, scans > 0 else { throw Self.broken("EOI before any frame and scan") }
                return frame
            case 0x01, 0xD0...0xD7:
                // TEM and RSTn stand alone; a restart marker between segments is harmless.
                continue
            case 0xD8:
                throw Self.broken("a second SOI at byte \(offset - 2)")
            case 0x02...0xBF:
                throw Self.broken("reserved marker FF\(Self.hex(marker)) at byte \(offset - 2)")
            default:
                break
            }
            let segment = try Self.segment(in: data, at: &offset, marker: marker)
            switch marker {
            case 0xC0...0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF:
                guard frame == nil else { throw Self.broken("a second frame header (SOF)") }
                let parsed = try Self.frameHeader(data[segment], marker: marker)
                try limits.check(width: parsed.width, height: parsed.height, format: "JPEG")
                frame = parsed
            case 0xDA:
                guard let frame else { throw Self.broken("a scan (SOS) before the frame header (SOF)") }
                try Self.checkScanHeader(data[segment], frame: frame)
                scans += 1
                offset = try Self.endOfEntropyCodedData(in: data, from: offset)
            default:
                // DHT, DQT, DRI, DNL, APPn, COM, JPGn, …: their lengths were checked.
                break
            }
        }
    }

    /// Reads `FF xx` (after optional fill bytes `FF`) at `offset`.
    static func marker(in data: [UInt8], at offset: inout Int) throws(UploadError) -> UInt8 {
        guard offset < data.count else { throw broken("truncated: ends at byte \(offset) without EOI") }
        guard data[offset] == 0xFF else {
            throw broken("expected a marker at byte \(offset), found \(hex(data[offset]))")
        }
        while offset < data.count, data[offset] == 0xFF { offset += 1 }
        guard offset < data.count else { throw broken("truncated inside a marker") }
        let marker = data[offset]
        offset += 1
        guard marker != 0x00 else { throw broken("FF00 outside entropy-coded data at byte \(offset - 2)") }
        return marker
    }

    /// The payload range of the segment whose length field is at `offset`; moves past it.
    static func segment(in data: [UInt8], at offset: inout Int, marker: UInt8) throws(UploadError) -> Range<Int> {
        guard offset + 2 <= data.count else { throw broken("truncated: FF\(hex(marker)) has no length") }
        let length = Int(data[offset]) << 8 | Int(data[offset + 1])
        guard length >= 2 else { throw broken("FF\(hex(marker)) declares length \(length)") }
        guard offset + length <= data.count else {
            throw broken("truncated: FF\(hex(marker)) at byte \(offset - 2) declares \(length) bytes, \(data.count - offset) remain")
        }
        let payload = (offset + 2)..<(offset + length)
        offset += length
        return payload
    }

    /// SOFn: precision, height, width, component count, then three bytes per component.
    static func frameHeader(_ payload: ArraySlice<UInt8>, marker: UInt8) throws(UploadError) -> Image {
        let p = Array(payload)
        guard p.count >= 6 else { throw broken("frame header of \(p.count) bytes") }
        let precision = Int(p[0])
        let height = Int(p[1]) << 8 | Int(p[2])
        let width = Int(p[3]) << 8 | Int(p[4])
        let components = Int(p[5])
        guard p.count == 6 + 3 * components else {
            throw broken("frame header declares \(components) components in \(p.count) bytes")
        }
        guard (2...16).contains(precision) else { throw broken("sample precision \(precision)") }
        guard (1...4).contains(components) else { throw broken("\(components) components") }
        // Height 0 defers it to a DNL segment, which no common encoder writes and not every decoder reads.
        guard width > 0, height > 0 else { throw broken("frame of \(width)×\(height)") }
        for component in 0..<components {
            let sampling = p[6 + 3 * component + 1]
            guard (1...4).contains(sampling >> 4), (1...4).contains(sampling & 0x0F) else {
                throw broken("component \(component + 1) has sampling factors \(hex(sampling))")
            }
        }
        return Image(width: width, height: height, components: components, process: Int(marker & 0x0F))
    }

    /// SOS: component count, two bytes per component, then Ss, Se, Ah/Al.
    static func checkScanHeader(_ payload: ArraySlice<UInt8>, frame: Image) throws(UploadError) {
        guard let count = payload.first.map(Int.init), (1...4).contains(count), count <= frame.components else {
            throw broken("scan header names \(payload.first.map(String.init) ?? "no") components")
        }
        guard payload.count == 4 + 2 * count else {
            throw broken("scan header declares \(count) components in \(payload.count) bytes")
        }
    }

    /// Where the marker after a scan's entropy-coded data starts: the first `FF` followed by
    /// neither a stuffed `00` nor a restart marker.
    static func endOfEntropyCodedData(in data: [UInt8], from start: Int) throws(UploadError) -> Int {
        var offset = start
        while offset + 1 < data.count {
            if data[offset] == 0xFF {
                let next = data[offset + 1]
                if next == 0x00 || (0xD0...0xD7).contains(next) {
                    offset += 2
                    continue
                }
                // A marker, possibly after fill bytes `FF` that `marker(in:at:)` skips.
                return offset
            }
            offset += 1
        }
        throw broken("truncated inside a scan's entropy-coded data (no EOI)")
    }

    static func broken(_ why: String) -> UploadError {
        UploadError(.unsupportedMediaType, "not a valid JPEG: \(why)")
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
