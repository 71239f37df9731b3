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

    private static let digits = Array("0123456789abcdef".utf8)
}
