/// PostgreSQL's text form of an array, for a `$n::text[]` parameter: `{"a","b \"c\""}`.
///
/// Every element is quoted, so commas, braces, spaces and the word NULL in a value stay data.
public enum PostgresArrayLiteral {
    public static func text(_ values: some Sequence<String>) -> String {
        // Byte-wise: `"` and `\` are ASCII and UTF-8 continuation bytes never equal them, so
        // escaping needs no walk by Character (an import builds one literal per source row).
        var literal: [UInt8] = [UInt8(ascii: "{")]
        literal.reserveCapacity(64)
        var first = true
        for var value in values {
            if !first { literal.append(UInt8(ascii: ",")) }
            first = false
            literal.append(UInt8(ascii: "\""))
            value.withUTF8 { bytes in
                var start = 0
                for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    literal.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                    literal.append(UInt8(ascii: "\\"))
                    start = index
                }
                literal.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
            }
            literal.append(UInt8(ascii: "\""))
        }
        literal.append(UInt8(ascii: "}"))
        return String(decoding: literal, as: UTF8.self)
    }
}
