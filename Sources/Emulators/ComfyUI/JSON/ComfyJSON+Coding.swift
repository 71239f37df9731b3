extension ComfyJSON {
    /// A body that is not JSON; ComfyUI's `await request.json()` raises on it (HTTP 500).
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var offset: Int
        public var description: String { "\(message) at byte \(offset)" }
    }

    /// Parses `bytes` as one JSON document (RFC 8259, plus Python's `NaN`/`Infinity`).
    public static func parse(_ bytes: [UInt8]) throws(ParseError) -> ComfyJSON {
        var parser = Parser(bytes: bytes)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.offset == bytes.count else { throw parser.error("extra data") }
        return value
    }

    public static func parse(_ text: String) throws(ParseError) -> ComfyJSON {
        try parse(Array(text.utf8))
    }

    /// The text Python's `json.dumps(value)` writes: `", "` and `": "` separators and ASCII
    /// only (`ensure_ascii`), which is what aiohttp's `json_response` and `send_json` send.
    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    public var serializedBytes: [UInt8] { Array(serialized.utf8) }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value): out += ComfyJSON.pythonFloat(value)
        case .string(let value): ComfyJSON.writeString(value, to: &out)
        case .array(let values):
            out += "["
            for (index, value) in values.enumerated() {
                if index > 0 { out += ", " }
                value.write(to: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            for (index, entry) in object.entries.enumerated() {
                if index > 0 { out += ", " }
                ComfyJSON.writeString(entry.key, to: &out)
                out += ": "
                entry.value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ value: String, to out: inout String) {
        out += "\""
        for unit in value.utf16 {
            switch unit {
            case 0x22: out += "\\\""
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x08: out += "\\b"
            case 0x0C: out += "\\f"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(UInt8(unit)))
            default:
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        out += "\""
    }

    private struct Parser {
        let bytes: [UInt8]
        var offset = 0

        func error(_ message: String) -> ParseError { ParseError(message: message, offset: offset) }

        mutating func skipSpace() {
            while offset < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[offset]) { offset += 1 }
        }

        mutating func value(depth: Int) throws(ParseError) -> ComfyJSON {
            guard depth < 512 else { throw error("nesting too deep") }
            guard offset < bytes.count else { throw error("unexpected end of data") }
            switch bytes[offset] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "N"): return try literal("NaN", .double(.nan))
            case UInt8(ascii: "I"): return try literal("Infinity", .double(.infinity))
            default: return try number()
            }
        }

        mutating func literal(_ text: String, _ value: ComfyJSON) throws(ParseError) -> ComfyJSON {
            let utf8 = Array(text.utf8)
            guard offset + utf8.count <= bytes.count, Array(bytes[offset..<offset + utf8.count]) == utf8 else {
                throw error("expecting value")
            }
            offset += utf8.count
            return value
        }

        mutating func object(depth: Int) throws(ParseError) -> ComfyJSON {
            offset += 1
            var object = ComfyJSON.Object()
            skipSpace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .object(object)
            }
            while true {
                skipSpace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else {
                    throw error("expecting property name enclosed in double quotes")
                }
                let key = try string()
                skipSpace()
                guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw error("expecting ':' delimiter") }
                offset += 1
                skipSpace()
                object[key] = try value(depth: depth + 1)
                skipSpace()
                guard offset < bytes.count else { throw error("unexpected end of data") }
                if bytes[offset] == UInt8(ascii: ",") {
                    offset += 1
                    continue
                }
                guard bytes[offset] == UInt8(ascii: "}") else { throw error("expecting ',' delimiter") }
                offset += 1
                return .object(object)
            }
        }

        mutating func array(depth: Int) throws(ParseError) -> ComfyJSON {
            offset += 1
            var values: [ComfyJSON] = []
            skipSpace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(values)
            }
            while true {
                skipSpace()
                values.append(try value(depth: depth + 1))
                skipSpace()
                guard offset < bytes.count else { throw error("unexpected end of data") }
                if bytes[offset] == UInt8(ascii: ",") {
                    offset += 1
                    continue
                }
                guard bytes[offset] == UInt8(ascii: "]") else { throw error("expecting ',' delimiter") }
                offset += 1
                return .array(values)
            }
        }

        mutating func number() throws(ParseError) -> ComfyJSON {
            let start = offset
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "-") {
                offset += 1
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "I") {
                    _ = try literal("Infinity", .null)
                    return .double(-.infinity)
                }
            }
            let digitsStart = offset
            while offset < bytes.count, (0x30...0x39).contains(bytes[offset]) { offset += 1 }
            guard offset > digitsStart else { throw error("expecting value") }
            guard bytes[digitsStart] != 0x30 || offset - digitsStart == 1 else { throw error("leading zero") }
            var isFloat = false
            if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
                isFloat = true
                offset += 1
                let fraction = offset
                while offset < bytes.count, (0x30...0x39).contains(bytes[offset]) { offset += 1 }
                guard offset > fraction else { throw error("expecting digits after '.'") }
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
                isFloat = true
                offset += 1
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                    offset += 1
                }
                let exponent = offset
                while offset < bytes.count, (0x30...0x39).contains(bytes[offset]) { offset += 1 }
                guard offset > exponent else { throw error("expecting exponent digits") }
            }
            let text = String(decoding: bytes[start..<offset], as: UTF8.self)
            if !isFloat, let integer = Int128(text) { return .int(integer) }
            guard let double = Double(text) else { throw error("number out of range") }
            return .double(double)
        }

        mutating func string() throws(ParseError) -> String {
            offset += 1
            var units: [UInt16] = []
            var run: [UInt8] = []
            func flush() {
                if !run.isEmpty {
                    units.append(contentsOf: String(decoding: run, as: UTF8.self).utf16)
                    run.removeAll(keepingCapacity: true)
                }
            }
            while true {
                guard offset < bytes.count else { throw error("unterminated string") }
                let byte = bytes[offset]
                offset += 1
                switch byte {
                case UInt8(ascii: "\""):
                    flush()
                    return String(decoding: units, as: UTF16.self)
                case UInt8(ascii: "\\"):
                    flush()
                    guard offset < bytes.count else { throw error("unterminated string") }
                    let escape = bytes[offset]
                    offset += 1
                    switch escape {
                    case UInt8(ascii: "\""): units.append(0x22)
                    case UInt8(ascii: "\\"): units.append(0x5C)
                    case UInt8(ascii: "/"): units.append(0x2F)
                    case UInt8(ascii: "b"): units.append(0x08)
                    case UInt8(ascii: "f"): units.append(0x0C)
                    case UInt8(ascii: "n"): units.append(0x0A)
                    case UInt8(ascii: "r"): units.append(0x0D)
                    case UInt8(ascii: "t"): units.append(0x09)
                    case UInt8(ascii: "u"):
                        guard offset + 4 <= bytes.count,
                            let unit = UInt16(String(decoding: bytes[offset..<offset + 4], as: UTF8.self), radix: 16)
                        else { throw error("invalid \\uXXXX escape") }
                        offset += 4
                        units.append(unit)
                    default: throw error("invalid escape")
                    }
                case 0x00..<0x20:
                    throw error("invalid control character")
                default:
                    run.append(byte)
                }
            }
        }
    }
}
