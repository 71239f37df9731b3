extension TolerantJSONParser {
    /// Skips whitespace and comments; a comment is a repair, noted at the innermost container.
    mutating func skipTrivia() {
        while position < end {
            let byte = bytes[position]
            if ASCII.isWhitespace(byte) {
                position += 1
                continue
            }
            guard byte == ASCII.slash else { return }
            guard position + 1 < end else {
                // A lone '/' at the very end can only be a comment cut off as it began.
                position = end
                record(.comment, at: { $0.containerPointer() }, detail: "cut off")
                return
            }
            switch bytes[position + 1] {
            case ASCII.slash:
                position += 2
                while position < end, bytes[position] != ASCII.lineFeed, bytes[position] != ASCII.carriageReturn {
                    position += 1
                }
                record(.comment, at: { $0.containerPointer() }, detail: "//")
            case ASCII.asterisk:
                position += 2
                var closed = false
                while position < end {
                    if bytes[position] == ASCII.asterisk, position + 1 < end, bytes[position + 1] == ASCII.slash {
                        position += 2
                        closed = true
                        break
                    }
                    position += 1
                }
                record(.comment, at: { $0.containerPointer() }, detail: closed ? "/* */" : "/* cut off")
            default:
                return
            }
        }
    }

    /// The key or index that a value parsed now takes in the innermost container.
    var currentComponent: String? {
        guard let top = frames.last else { return nil }
        return top.isObject ? (top.key ?? "") : String(top.elements.count)
    }

    /// The JSON pointer of the innermost open container; "" at the root or outside any.
    ///
    /// Built only when a repair is recorded, so that parsing costs no string work per container.
    func containerPointer() -> String {
        var pointer = ""
        for frame in frames {
            guard let component = frame.component else { continue }
            pointer += "/" + Self.escaped(component)
        }
        return pointer
    }

    /// The JSON pointer of the value being parsed now.
    func memberPointer() -> String {
        guard let component = currentComponent else { return "" }
        return containerPointer() + "/" + Self.escaped(component)
    }

    /// The JSON pointer of `key` in the innermost container.
    func pointer(ofKey key: String) -> String { containerPointer() + "/" + Self.escaped(key) }

    /// A reference token as RFC 6901 writes it: `~` as `~0`, `/` as `~1`.
    static func escaped(_ component: String) -> String {
        guard component.utf8.contains(where: { $0 == ASCII.tilde || $0 == ASCII.slash }) else { return component }
        return component.replacing("~", with: "~0").replacing("/", with: "~1")
    }
}
