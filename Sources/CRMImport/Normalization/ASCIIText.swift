/// Byte-level case and white-space operations for text that is all ASCII, the common case of
/// a CRM cell: they skip Unicode property lookups, which cost microseconds per name at a
/// million rows. Callers check `isASCII` and keep a Unicode path for the rest.
enum ASCIIText {
    static func isASCII(_ text: String) -> Bool {
        withBytes(text) { bytes in
            var bits: UInt8 = 0
            for byte in bytes { bits |= byte }
            return bits < 0x80
        }
    }

    /// The text's UTF-8 as a buffer: native strings are contiguous, so no copy is made.
    @inline(__always)
    static func withBytes<Result>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }

    static func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
    static func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    static func isLetter(_ byte: UInt8) -> Bool { isLower(byte | 0x20) }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }

    /// The text with A–Z lowered; the same string when there is nothing to lower.
    static func lowercased(_ text: String) -> String {
        guard withBytes(text, { $0.contains(where: isUpper) }) else { return text }
        return map(text) { isUpper($0) ? $0 | 0x20 : $0 }
    }

    /// The words of an ASCII text, split at white space.
    static func words(_ text: String) -> [String] {
        text.utf8.split(whereSeparator: isSpace).map { String(Substring($0)) }
    }

    /// Whether the text has capitals and whether it has lower-case letters.
    static func letterCases(_ words: [String]) -> (upper: Bool, lower: Bool) {
        var upper = false
        var lower = false
        for word in words {
            for byte in word.utf8 {
                if isUpper(byte) {
                    upper = true
                } else if isLower(byte) {
                    lower = true
                }
            }
        }
        return (upper, lower)
    }

    /// A word with its first letter, and each letter after `-`, `'`, `.` or `(`, in capitals,
    /// the rest lower case; "mc" prefixes capitalize the letter after them ("McDonald").
    static func titleCased(_ word: String) -> String {
        withBytes(word) { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { buffer in
                writeTitleCased(bytes, bytes.indices, into: buffer, at: 0)
            }
        }
    }

    /// Writes `titleCased` of the bytes in `word` at `start`; returns the position after it.
    static func writeTitleCased(
        _ bytes: UnsafeBufferPointer<UInt8>, _ word: Range<Int>, into output: UnsafeMutableBufferPointer<UInt8>,
        at start: Int
    ) -> Int {
        var position = start
        var capitalizeNext = true
        var letters = 0
        let isMc = word.count > 3 && bytes[word.lowerBound] | 0x20 == UInt8(ascii: "m")
            && bytes[word.lowerBound + 1] | 0x20 == UInt8(ascii: "c")
        for index in word {
            let byte = bytes[index]
            let letter = isLetter(byte)
            if letter && (capitalizeNext || (isMc && letters == 2)) {
                output[position] = byte & 0xDF
            } else {
                output[position] = isUpper(byte) ? byte | 0x20 : byte
            }
            position += 1
            if letter {
                letters += 1
                capitalizeNext = false
            } else if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: ".")
                || byte == UInt8(ascii: "(")
            {
                capitalizeNext = true
            }
        }
        return position
    }

    /// Lower case, apostrophes, dots and backticks dropped, any other run of non-alphanumerics
    /// one space, no space at the ends: "D'Souza, Anil" → "dsouza anil".
    static func matchKey(_ text: String) -> String {
        withBytes(text) { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { buffer in
                var length = 0
                var pendingSpace = false
                for byte in bytes {
                    if byte == UInt8(ascii: "'") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "`") { continue }
                    if isLetter(byte) || isDigit(byte) {
                        if pendingSpace && length > 0 {
                            buffer[length] = UInt8(ascii: " ")
                            length += 1
                        }
                        pendingSpace = false
                        buffer[length] = isUpper(byte) ? byte | 0x20 : byte
                        length += 1
                    } else {
                        pendingSpace = true
                    }
                }
                return length
            }
        }
    }

    static func map(_ text: String, _ transform: (UInt8) -> UInt8) -> String {
        withBytes(text) { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { buffer in
                for index in bytes.indices { buffer[index] = transform(bytes[index]) }
                return bytes.count
            }
        }
    }
}
