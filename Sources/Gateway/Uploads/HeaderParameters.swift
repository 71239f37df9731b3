/// A header value with parameters, as in `Content-Type` and `Content-Disposition`
/// (RFC 9110 §5.6.6): `value; name=token; name="quoted \" string"`.
///
/// Parameter names are lowercased; a quoted string's escapes are undone; `name*` values
/// (RFC 8187: `UTF-8''percent-encoded`) are decoded and win over the plain `name`.
public struct HeaderParameters: Sendable, Equatable {
    /// The value before the first `;`, trimmed and lowercased (`multipart/form-data`, `form-data`).
    public var value: String
    public var parameters: [String: String]

    public init(parsing header: String) {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in header {
            if escaped {
                current.append(character)
                escaped = false
            } else if quoted && character == "\\" {
                current.append(character)
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
                current.append(character)
            } else if character == ";" && !quoted {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        value = Self.trim(parts[0]).lowercased()
        var parameters: [String: String] = [:]
        var extended: [String: String] = [:]
        for part in parts.dropFirst() {
            guard let equals = part.firstIndex(of: "=") else { continue }
            let name = Self.trim(String(part[..<equals])).lowercased()
            let raw = Self.trim(String(part[part.index(after: equals)...]))
            guard !name.isEmpty else { continue }
            if name.hasSuffix("*") {
                if let decoded = Self.decodeExtended(raw) { extended[String(name.dropLast())] = decoded }
            } else {
                parameters[name] = Self.unquote(raw)
            }
        }
        self.parameters = parameters.merging(extended) { _, new in new }
    }

    public subscript(name: String) -> String? { parameters[name.lowercased()] }

    static func trim(_ text: String) -> String {
        String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    static func unquote(_ text: String) -> String {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return text }
        var result = ""
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if escaped {
                result.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }

    /// `charset'language'percent-encoded`; only UTF-8 (and its ASCII subset) is decoded.
    static func decodeExtended(_ text: String) -> String? {
        let pieces = text.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, ["utf-8", "us-ascii"].contains(pieces[0].lowercased()) else { return nil }
        var bytes: [UInt8] = []
        var utf8 = pieces[2].utf8[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%") {
                guard let high = utf8.popFirst(), let low = utf8.popFirst(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
