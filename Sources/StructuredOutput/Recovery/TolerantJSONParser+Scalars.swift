import VelocityTypes

extension TolerantJSONParser {
    /// A scalar as far as the text holds it.
    enum ScalarScan {
        case complete(JSONValue)
        /// A number that runs into the end of the text: more digits may have followed.
        case reachesEnd(JSONValue)
        /// Cut off before it was whole: a half string, `tr`, `12.`.
        case cut
    }

    /// A string as read, with what it took to read it.
    struct StringToken {
        var value: String
        var singleQuoted: Bool
        var controlCharacters: Int
    }

    private static let literals: [(word: [UInt8], value: JSONValue, repair: JSONRepair.Kind?)] = [
        (Array("true".utf8), .bool(true), nil),
        (Array("false".utf8), .bool(false), nil),
        (Array("null".utf8), .null, nil),
        (Array("True".utf8), .bool(true), .pythonLiteral),
        (Array("False".utf8), .bool(false), .pythonLiteral),
        (Array("None".utf8), .null, .pythonLiteral),
        (Array("NaN".utf8), .null, .nonFiniteNumber),
        (Array("Infinity".utf8), .null, .nonFiniteNumber),
    ]

    /// The string, number or literal at `position`.
    mutating func scanScalar() throws(Failure) -> ScalarScan {
        let byte = bytes[position]
        if byte == ASCII.quote || byte == ASCII.apostrophe {
            guard let token = try scanString() else { return .cut }
            recordRepairs(of: token, at: { $0.memberPointer() }, role: "value")
            return .complete(.string(token.value))
        }
        if byte == ASCII.minus || ASCII.isDigit(byte) { return try scanNumber() }
        if ASCII.isLetter(byte) { return try scanWord(from: position) }
        let character = String(decoding: bytes[position..<min(position + 4, end)], as: UTF8.self).unicodeScalars.first
        throw failure("unexpected character '\(character ?? "\u{FFFD}")' where a value should start")
    }

    /// An object's key: quoted, single-quoted or a bare identifier; nil when the text ends in it.
    mutating func scanKey() throws(Failure) -> String? {
        let byte = bytes[position]
        if byte == ASCII.quote || byte == ASCII.apostrophe {
            guard let token = try scanString() else { return nil }
            recordRepairs(of: token, at: { $0.pointer(ofKey: token.value) }, role: "key")
            return token.value
        }
        guard ASCII.isIdentifierStart(byte) else { throw failure("expected a key or '}'") }
        let start = position
        while position < end, ASCII.isIdentifierPart(bytes[position]) { position += 1 }
        // The identifier may have gone on past the end.
        guard position < end else { return nil }
        let key = String(decoding: bytes[start..<position], as: UTF8.self)
        record(.unquotedKey, at: { $0.pointer(ofKey: key) }, detail: key)
        return key
    }

    private mutating func recordRepairs(of token: StringToken, at path: (Self) -> String, role: String) {
        if token.singleQuoted { record(.singleQuotes, at: path, detail: role) }
        if token.controlCharacters > 0 {
            let count = token.controlCharacters
            let detail = count == 1 ? "1 raw control character escaped" : "\(count) raw control characters escaped"
            record(.controlCharacter, at: path, detail: detail)
        }
    }

    /// The string at `position`, in double or single quotes; nil when the text ends inside it.
    mutating func scanString() throws(Failure) -> StringToken? {
        let quote = bytes[position]
        position += 1
        var decoded: [UInt8] = []
        var usesDecoded = false
        var runStart = position
        var controlCharacters = 0
        while position < end {
            let byte = bytes[position]
            if byte == quote {
                let value: String
                if usesDecoded {
                    decoded.append(contentsOf: bytes[runStart..<position])
                    value = String(decoding: decoded, as: UTF8.self)
                } else {
                    value = String(decoding: bytes[runStart..<position], as: UTF8.self)
                }
                position += 1
                return StringToken(
                    value: value, singleQuoted: quote == ASCII.apostrophe, controlCharacters: controlCharacters)
            }
            if byte == ASCII.backslash {
                decoded.append(contentsOf: bytes[runStart..<position])
                usesDecoded = true
                guard try scanEscape(into: &decoded, quote: quote) else {
                    position = end
                    return nil
                }
                runStart = position
                continue
            }
            if byte < ASCII.space { controlCharacters += 1 }
            position += 1
        }
        return nil
    }

    /// Decodes the escape at `position`; false when the text ends inside it.
    private mutating func scanEscape(into decoded: inout [UInt8], quote: UInt8) throws(Failure) -> Bool {
        guard position + 1 < end else { return false }
        let escape = bytes[position + 1]
        let simple: UInt8? =
            switch escape {
            case ASCII.quote, ASCII.backslash, ASCII.slash: escape
            case ASCII.apostrophe where quote == ASCII.apostrophe: escape
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): ASCII.lineFeed
            case UInt8(ascii: "r"): ASCII.carriageReturn
            case UInt8(ascii: "t"): ASCII.tab
            default: nil
            }
        if let simple {
            decoded.append(simple)
            position += 2
            return true
        }
        guard escape == UInt8(ascii: "u") else { throw failure("invalid escape '\\\(Unicode.Scalar(escape))'") }
        let escapeStart = position
        guard let unit = try scanHexUnit() else { return false }
        var scalarValue = UInt32(unit)
        if (0xD800...0xDBFF).contains(unit) {
            guard position + 1 < end else { return false }
            guard bytes[position] == ASCII.backslash, bytes[position + 1] == UInt8(ascii: "u") else {
                throw Failure(offset: escapeStart, message: "a high surrogate without its low surrogate")
            }
            guard let low = try scanHexUnit() else { return false }
            guard (0xDC00...0xDFFF).contains(low) else {
                throw Failure(offset: escapeStart, message: "a high surrogate without its low surrogate")
            }
            scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(unit) {
            throw Failure(offset: escapeStart, message: "a low surrogate without its high surrogate")
        }
        // Every value outside the surrogate range is a scalar.
        let scalar = Unicode.Scalar(scalarValue) ?? "\u{FFFD}"
        UTF8.encode(scalar) { decoded.append($0) }
        return true
    }

    /// The four hex digits of a `\uXXXX` at `position`; nil when the text ends inside them.
    private mutating func scanHexUnit() throws(Failure) -> UInt16? {
        var unit: UInt16 = 0
        for offset in 2..<6 {
            guard position + offset < end else { return nil }
            let byte = bytes[position + offset]
            let digit: UInt8
            switch byte {
            case ASCII.zero...ASCII.nine: digit = byte - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Failure(offset: position + offset, message: "expected four hex digits after '\\u'")
            }
            unit = unit << 4 | UInt16(digit)
        }
        position += 6
        return unit
    }

    /// A number in JSON's grammar, or `-Infinity`.
    private mutating func scanNumber() throws(Failure) -> ScalarScan {
        let start = position
        if bytes[position] == ASCII.minus {
            position += 1
            guard position < end else { return .cut }
            if ASCII.isLetter(bytes[position]) { return try scanWord(from: start) }
        }
        if bytes[position] == ASCII.zero {
            position += 1
        } else {
            guard try scanDigits() else { return .cut }
        }
        var isPlainInteger = true
        if position < end, bytes[position] == ASCII.dot {
            isPlainInteger = false
            position += 1
            guard try scanDigits() else { return .cut }
        }
        if position < end, bytes[position] | 0x20 == UInt8(ascii: "e") {
            isPlainInteger = false
            position += 1
            if position < end, bytes[position] == ASCII.plus || bytes[position] == ASCII.minus { position += 1 }
            guard try scanDigits() else { return .cut }
        }
        let token = bytes[start..<position]
        let value: JSONValue
        if let number = JSONNumberReading.value(of: token, isPlainInteger: isPlainInteger) {
            value = number
        } else {
            record(
                .nonFiniteNumber, at: { $0.memberPointer() },
                detail: "\(String(decoding: token.prefix(40), as: UTF8.self)) is beyond a Double")
            value = .null
        }
        return position == end ? .reachesEnd(value) : .complete(value)
    }

    /// One or more digits at `position`; false when the text ends before the first.
    private mutating func scanDigits() throws(Failure) -> Bool {
        guard position < end else { return false }
        guard ASCII.isDigit(bytes[position]) else { throw failure("expected a digit") }
        while position < end, ASCII.isDigit(bytes[position]) { position += 1 }
        return true
    }

    /// A literal starting at `start` (at a '-' for `-Infinity`), its letters from `position`.
    private mutating func scanWord(from start: Int) throws(Failure) -> ScalarScan {
        let negative = bytes[start] == ASCII.minus
        let wordStart = position
        while position < end, ASCII.isLetter(bytes[position]) { position += 1 }
        let word = bytes[wordStart..<position]
        let candidates = negative ? Self.literals.filter { $0.word.elementsEqual("Infinity".utf8) } : Self.literals
        if let literal = candidates.first(where: { $0.word.elementsEqual(word) }) {
            if let kind = literal.repair {
                record(
                    kind, at: { $0.memberPointer() }, detail: String(decoding: bytes[start..<position], as: UTF8.self))
            }
            return .complete(literal.value)
        }
        if position == end, candidates.contains(where: { $0.word.starts(with: word) }) { return .cut }
        let text = String(decoding: bytes[start..<min(position, start + 40)], as: UTF8.self)
        throw Failure(offset: start, message: "unexpected word '\(text)' where a value should start")
    }
}
