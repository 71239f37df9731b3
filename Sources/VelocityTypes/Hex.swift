/// Lowercase hexadecimal text of bytes (digests, ids, signatures): the product's one encoder,
/// without `String(format:)`, which parses its format string for every byte.
public enum Hex {
    /// `[0xAB, 0x01]` → `"ab01"`.
    public static func lowercase<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// 16 bytes as a UUID's text, `8-4-4-4-12` lowercase hex digits; nil for another count.
    /// Not generic, and digits by arithmetic: an import formats a few hundred thousand ids.
    public static func uuid(_ bytes: [UInt8]) -> String? {
        guard bytes.count == 16 else { return nil }
        return String(unsafeUninitializedCapacity: 36) { out in
            bytes.withUnsafeBufferPointer { bytes in
                var position = 0
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        out[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    out[position] = digit(bytes[index] >> 4)
                    out[position + 1] = digit(bytes[index] & 0x0F)
                    position += 2
                }
                return position
            }
        }
    }

    private static func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x57 + nibble }

    private static let digits = Array("0123456789abcdef".utf8)
}
