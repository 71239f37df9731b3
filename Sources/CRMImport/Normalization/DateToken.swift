/// The pieces of a date cell: numbers (with their digit count), lower-case words and the
/// symbols `/ - . : +`; spaces and commas only separate.
enum DateToken: Equatable {
    case number(Int, digits: Int)
    case word(String)
    case symbol(UInt8)

    /// The tokens of a cell, or nil when it has a character no date uses.
    static func tokenize(_ bytes: UnsafeBufferPointer<UInt8>) -> [DateToken]? {
        var tokens: [DateToken] = []
        tokens.reserveCapacity(12)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                var value = 0
                var digits = 0
                while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                    digits += 1
                    guard digits <= 9 else { return nil }
                    value = value * 10 + Int(bytes[index] &- UInt8(ascii: "0"))
                    index += 1
                }
                tokens.append(.number(value, digits: digits))
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                let start = index
                while index < bytes.count, (bytes[index] | 0x20) >= UInt8(ascii: "a"),
                    (bytes[index] | 0x20) <= UInt8(ascii: "z")
                {
                    index += 1
                }
                let count = index - start
                tokens.append(.word(String(unsafeUninitializedCapacity: count) { buffer in
                    for offset in 0..<count { buffer[offset] = bytes[start + offset] | 0x20 }
                    return count
                }))
            case UInt8(ascii: "/"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "+"):
                tokens.append(.symbol(byte))
                index += 1
            case UInt8(ascii: " "), UInt8(ascii: ","), UInt8(ascii: "\t"), UInt8(ascii: "'"):
                index += 1
            case 0xC2 where index + 1 < bytes.count && bytes[index + 1] == 0xA0:
                index += 2
            default:
                return nil
            }
        }
        return tokens
    }
}

struct DateFields {
    var year: Int
    var month: Int
    var day: Int
    var time: TimeFields?
}

struct TimeFields {
    var hour: Int
    var minute: Int
    var second: Int
    /// Nil when the text gave no zone.
    var offsetMinutes: Int?
}
