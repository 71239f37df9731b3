/// Encodes rows in COPY's text format into a byte buffer that is sent in large chunks.
///
/// COPY is the fastest way to load many rows, but its text format has its own escaping: a value
/// that contains a tab, newline or backslash would otherwise split or corrupt a row, and a value
/// that is literally `\N` must not turn into NULL. Escaping here, byte by byte on UTF-8, is what
/// lets arbitrary strings round-trip exactly.
public struct PostgresCopyEncoder: Sendable {
    /// The encoded bytes not yet taken.
    public private(set) var buffer: [UInt8] = []

    public init(reservingCapacity capacity: Int = 0) {
        buffer.reserveCapacity(capacity)
    }

    /// Appends one row: values separated by tabs, NULL as `\N`, ended by a newline.
    public mutating func append(_ row: [String?]) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            guard let value else {
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "N"))
                continue
            }
            Self.appendEscaped(value, to: &buffer)
        }
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Gives back the buffer's spare capacity (up to as much again as it holds, from growing by
    /// doubling): for a finished load that waits its turn to be sent.
    public mutating func trimCapacity() {
        buffer = buffer.withUnsafeBufferPointer { Array($0) }
    }

    /// Forgets the bytes encoded so far (once sent), keeping the buffer's memory for the next chunk.
    public mutating func removeAll() {
        buffer.removeAll(keepingCapacity: true)
    }

    /// Escapes the bytes COPY's text format gives a meaning to. Other control characters pass
    /// through unchanged: COPY reads them literally, and UTF-8 continuation bytes never collide
    /// with ASCII, so multi-byte characters need no care.
    static func appendEscaped(_ value: String, to buffer: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            var start = 0
            for (index, byte) in bytes.enumerated() {
                let escaped: UInt8
                switch byte {
                case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
                case UInt8(ascii: "\t"): escaped = UInt8(ascii: "t")
                case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
                case UInt8(ascii: "\r"): escaped = UInt8(ascii: "r")
                default: continue
                }
                buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(escaped)
                start = index + 1
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
    }
}
