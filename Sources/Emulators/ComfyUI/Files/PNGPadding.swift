/// Pads a PNG to a size with a private ancillary chunk (`vjPd`: lowercase first letter,
/// ancillary; second, private), which every decoder skips: files weigh what real renders and
/// phone photos weigh while their pixels stay cheap to make on the emulator's CPU.
public enum PNGPadding {
    /// `png` with a padding chunk before `IEND`, `bytes` long in all (or as it is, when already
    /// that long or not a PNG ending in `IEND`).
    public static func padded(_ png: [UInt8], toBytes bytes: Int) -> [UInt8] {
        let overhead = 12  // length, type, CRC
        guard png.count >= 20, bytes >= png.count + overhead,
            Array(png[(png.count - 8)..<(png.count - 4)]) == Array("IEND".utf8)
        else { return png }
        let length = bytes - png.count - overhead
        var chunk = Array("vjPd".utf8) + [UInt8](repeating: 0, count: length)
        let crc = CRC32.checksum(chunk)
        chunk =
            withUnsafeBytes(of: UInt32(length).bigEndian, Array.init) + chunk
            + withUnsafeBytes(of: crc.bigEndian, Array.init)
        var out = Array(png[..<(png.count - 12)])
        out.reserveCapacity(bytes)
        out += chunk
        out += png[(png.count - 12)...]
        return out
    }
}

/// PNG's CRC-32 (ISO 3309, reflected 0xEDB88320), table-driven.
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in bytes { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
