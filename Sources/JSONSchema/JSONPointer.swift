/// RFC 6901 pointers, as text: the schema and instance paths of this module, and the fragments
/// of `$ref`.
enum JSONPointer {
    /// `a/b~c` becomes `a~1b~0c`, so that the token can be appended after a `/`.
    static func escape(_ token: String) -> String {
        guard token.contains("~") || token.contains("/") else { return token }
        return token.replacing("~", with: "~0").replacing("/", with: "~1")
    }

    /// `base` extended by one token.
    static func appending(_ token: String, to base: String) -> String {
        "\(base)/\(escape(token))"
    }

    /// The tokens of a pointer (`""` is the whole document); nil when it does not start with
    /// `/` or has a `~` not followed by `0` or `1`.
    static func tokens(of pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        var tokens: [String] = []
        for raw in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let token = unescape(raw) else { return nil }
            tokens.append(token)
        }
        return tokens
    }

    /// The pointer made of `tokens`.
    static func pointer(_ tokens: [String]) -> String {
        tokens.reduce("") { appending($1, to: $0) }
    }

    private static func unescape(_ raw: Substring) -> String? {
        var result = ""
        var iterator = raw.makeIterator()
        while let character = iterator.next() {
            guard character == "~" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "0": result.append("~")
            case "1": result.append("/")
            default: return nil
            }
        }
        return result
    }
}
