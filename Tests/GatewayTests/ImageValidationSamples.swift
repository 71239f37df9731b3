import Foundation

/// Image files built byte by byte, so every test states exactly what it feeds the validators.
enum ImageSamples {
    // MARK: PNG

    /// A decodable 8-bit grayscale PNG: signature, IHDR, one IDAT holding a zlib stream of
    /// stored (uncompressed) deflate blocks, IEND; every chunk with its CRC-32.
    static func png(width: Int, height: Int, gray: UInt8 = 0x80) -> [UInt8] {
        var raw: [UInt8] = []
        for _ in 0..<height {
            raw.append(0)  // filter type None
            raw += [UInt8](repeating: gray, count: width)
        }
        return pngFile(width: width, height: height, idat: zlibStored(raw))
    }

    /// A PNG whose IHDR claims `width`×`height` but whose IDAT holds a few bytes: what a
    /// decompression bomb's header looks like before anything is inflated.
    static func pngHeaderOnly(width: Int, height: Int) -> [UInt8] {
        pngFile(width: width, height: height, idat: zlibStored([0, 0, 0, 0]))
    }

    static func pngFile(width: Int, height: Int, idat: [UInt8]) -> [UInt8] {
        var ihdr = bigEndian32(width) + bigEndian32(height)
        ihdr += [8, 0, 0, 0, 0]  // bit depth 8, color type gray, deflate, adaptive filtering, no interlace
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", ihdr) + chunk("IDAT", idat)
            + chunk("IEND", [])
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeAndData = Array(type.utf8) + data
        return bigEndian32(data.count) + typeAndData + bigEndian32(Int(crc32(typeAndData)))
    }

    /// zlib header `78 01`, stored deflate blocks of at most 65535 bytes, Adler-32.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let count = min(65_535, data.count - offset)
            let final: UInt8 = offset + count == data.count ? 1 : 0
            out.append(final)
            out += [UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            out += data[offset..<(offset + count)]
            offset += count
        } while offset < data.count
        var a: UInt32 = 1
        var b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return out + bigEndian32(Int(b << 16 | a))
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    static func bigEndian32(_ value: Int) -> [UInt8] {
        [UInt8((value >> 24) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    // MARK: JPEG

    /// A decodable baseline grayscale JPEG, every 8×8 block a flat mid-gray:
    /// SOI; DQT (table 0, all ones); SOF0 (8-bit, `height`×`width`, one component, 1×1
    /// sampling); DHT DC table 0 and AC table 0, each with one 1-bit code `0` for symbol 0
    /// (DC difference category 0; AC end-of-block); SOS; per block the bits `00` (DC
    /// difference 0, then EOB), padded with 1s; EOI.
    static func jpeg(width: Int, height: Int) -> [UInt8] {
        var file: [UInt8] = [0xFF, 0xD8]
        file += segment(0xDB, [0x00] + [UInt8](repeating: 1, count: 64))
        file += segment(0xC0, [8] + bigEndian16(height) + bigEndian16(width) + [1, 1, 0x11, 0])
        let oneCodeForSymbolZero: [UInt8] = [1] + [UInt8](repeating: 0, count: 15) + [0]
        file += segment(0xC4, [0x00] + oneCodeForSymbolZero)  // class DC, table 0
        file += segment(0xC4, [0x10] + oneCodeForSymbolZero)  // class AC, table 0
        file += segment(0xDA, [1, 1, 0x00, 0, 63, 0])
        let blocks = ((width + 7) / 8) * ((height + 7) / 8)
        let bits = blocks * 2
        var scan = [UInt8](repeating: 0, count: (bits + 7) / 8)
        if bits % 8 != 0 { scan[scan.count - 1] = UInt8(0xFF >> (bits % 8)) }
        file += scan
        return file + [0xFF, 0xD9]
    }

    static func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [0xFF, marker] + bigEndian16(payload.count + 2) + payload
    }

    static func bigEndian16(_ value: Int) -> [UInt8] { [UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)] }

    // MARK: WebP

    /// 1×1 lossy WebP (simple format, one `VP8 ` key frame), the file browsers' WebP
    /// feature tests decode.
    static let webpLossy: [UInt8] = hex(
        "52494646220000005745425056503820160000003001009d012a010001000ec0fe25a400037000000000")
    /// 1×1 lossless WebP (simple format, one `VP8L` chunk).
    static let webpLossless: [UInt8] = hex("524946461a000000574542505650384c0d0000002f00000010071011118888fe0700")
    /// 1×1 extended WebP: `VP8X` (alpha flag), `ALPH`, `VP8 `.
    static let webpExtended: [UInt8] = hex(
        "524946464a00000057454250565038580a00000010000000000000000000414c50480c00000011071011fd0f4444ff030000"
            + "56503820180000001401009d012a010001000000fe00000dc000fee6b5000000")

    /// A RIFF/WEBP file around `chunks`, with the right RIFF size.
    static func webp(_ chunks: [(String, [UInt8])]) -> [UInt8] {
        var body = Array("WEBP".utf8)
        for (fourCC, payload) in chunks {
            body += Array(fourCC.utf8) + littleEndian32(payload.count) + payload
            if payload.count % 2 == 1 { body.append(0) }
        }
        return Array("RIFF".utf8) + littleEndian32(body.count) + body
    }

    /// A VP8 key-frame header (RFC 6386 §9.1) for `width`×`height`, first partition of
    /// `partition` bytes, followed by that many zero bytes.
    static func vp8(width: Int, height: Int, partition: Int = 4) -> [UInt8] {
        let tag = 0 | 0 << 1 | 1 << 4 | partition << 5  // key frame, profile 0, shown
        return [UInt8(tag & 0xFF), UInt8((tag >> 8) & 0xFF), UInt8(tag >> 16), 0x9D, 0x01, 0x2A]
            + littleEndian16(width) + littleEndian16(height) + [UInt8](repeating: 0, count: partition)
    }

    /// A VP8L header for `width`×`height` (14 bits each, minus one), no alpha, version 0.
    static func vp8l(width: Int, height: Int) -> [UInt8] {
        let bits = (width - 1) | (height - 1) << 14
        return [0x2F] + littleEndian32(bits) + [0, 0, 0]
    }

    /// A VP8X payload: flags, 3 reserved bytes, canvas width − 1 and height − 1 in 24 bits.
    static func vp8x(width: Int, height: Int, flags: UInt8 = 0) -> [UInt8] {
        [flags, 0, 0, 0] + Array(littleEndian32(width - 1).prefix(3)) + Array(littleEndian32(height - 1).prefix(3))
    }

    static func littleEndian16(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF)] }

    static func littleEndian32(_ value: Int) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8((value >> 8) & 0xFF), UInt8((value >> 16) & 0xFF), UInt8((value >> 24) & 0xFF)]
    }

    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }
}
