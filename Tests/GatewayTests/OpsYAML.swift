/// A reader for the subset of YAML the ops/ files use, so their structure can be checked without
/// a YAML library in this test target: block mappings and sequences (a sequence item may open a
/// mapping, `- key: value`), literal and folded block scalars (`|`, `|-`, `>`), plain, single-
/// and double-quoted scalars, flow sequences and flow mappings of scalars, and comments.
/// Anything else (anchors, aliases, tags, multi-line flow or quoted scalars) is refused with the
/// line number, so a file that outgrows the subset fails its test instead of being misread.
struct OpsYAML {
    indirect enum Node: Equatable {
        case scalar(String)
        case sequence([Node])
        case mapping([Entry])

        var string: String? {
            if case .scalar(let value) = self { return value }
            return nil
        }

        var items: [Node]? {
            if case .sequence(let items) = self { return items }
            return nil
        }

        var entries: [Entry]? {
            if case .mapping(let entries) = self { return entries }
            return nil
        }

        subscript(key: String) -> Node? {
            entries?.first { $0.key == key }?.value
        }
    }

    struct Entry: Equatable {
        var key: String
        var value: Node
    }

    struct ParseError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    static func parse(_ text: String) throws -> Node {
        var parser = Parser(lines: text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        parser.skipBlank()
        guard !parser.atEnd else { return .mapping([]) }
        let node = try parser.node(indent: parser.indentation(of: parser.lines[parser.index]))
        parser.skipBlank()
        if !parser.atEnd { throw ParseError(line: parser.index + 1, message: "unexpected content at a lower indentation") }
        return node
    }

    private struct Parser {
        var lines: [String]
        var index = 0

        var atEnd: Bool { index >= lines.count }

        func indentation(of line: String) -> Int { line.prefix { $0 == " " }.count }

        static func isBlank(_ line: String) -> Bool {
            let trimmed = line.drop { $0 == " " }
            return trimmed.isEmpty || trimmed.hasPrefix("#")
        }

        mutating func skipBlank() {
            while !atEnd && Self.isBlank(lines[index]) { index += 1 }
        }

        func error(_ message: String) -> ParseError { ParseError(line: index + 1, message: message) }

        mutating func node(indent: Int) throws -> Node {
            let content = lines[index].dropFirst(indent)
            if content.hasPrefix("\t") { throw error("tabs are not allowed for indentation") }
            return content == "-" || content.hasPrefix("- ") ? try sequence(indent: indent) : try mapping(indent: indent)
        }

        mutating func sequence(indent: Int) throws -> Node {
            var items: [Node] = []
            while true {
                skipBlank()
                guard !atEnd, indentation(of: lines[index]) == indent else { break }
                let content = String(lines[index].dropFirst(indent))
                guard content == "-" || content.hasPrefix("- ") else { break }
                let item = content.dropFirst(1).drop { $0 == " " }
                if item.isEmpty || item.hasPrefix("#") {
                    index += 1
                    skipBlank()
                    guard !atEnd, indentation(of: lines[index]) > indent else { items.append(.scalar("")); continue }
                    items.append(try node(indent: indentation(of: lines[index])))
                } else if Self.keySplit(String(item)) != nil {
                    // `- key: value` opens a mapping whose keys line up after the dash.
                    let column = lines[index].count - item.count
                    lines[index] = String(repeating: " ", count: column) + item
                    items.append(try mapping(indent: column))
                } else {
                    items.append(try inline(String(item)))
                    index += 1
                }
            }
            return .sequence(items)
        }

        mutating func mapping(indent: Int) throws -> Node {
            var entries: [Entry] = []
            while true {
                skipBlank()
                guard !atEnd else { break }
                let lineIndent = indentation(of: lines[index])
                if lineIndent < indent { break }
                if lineIndent > indent { throw error("unexpected indentation") }
                let content = String(lines[index].dropFirst(indent))
                if content == "-" || content.hasPrefix("- ") { break }
                guard let (key, rest) = Self.keySplit(content) else { throw error("expected 'key: value', found '\(content)'") }
                if entries.contains(where: { $0.key == key }) { throw error("duplicate key '\(key)'") }
                let value: Node
                if rest.isEmpty || rest.hasPrefix("#") {
                    index += 1
                    skipBlank()
                    if !atEnd, indentation(of: lines[index]) > indent {
                        value = try node(indent: indentation(of: lines[index]))
                    } else if !atEnd, indentation(of: lines[index]) == indent, lines[index].dropFirst(indent).hasPrefix("- ") {
                        value = try sequence(indent: indent)
                    } else {
                        value = .scalar("")
                    }
                } else if rest.hasPrefix("|") || rest.hasPrefix(">") {
                    value = try blockScalar(header: rest, parentIndent: indent)
                } else {
                    value = try inline(rest)
                    index += 1
                }
                entries.append(Entry(key: key, value: value))
            }
            return .mapping(entries)
        }

        mutating func blockScalar(header: String, parentIndent: Int) throws -> Node {
            let folded = header.hasPrefix(">")
            let indicator = header.dropFirst().prefix { $0 != " " && $0 != "#" }
            guard indicator.isEmpty || indicator == "-" || indicator == "+" else { throw error("unsupported block scalar header '\(header)'") }
            index += 1
            var body: [String] = []
            var blockIndent: Int?
            while !atEnd {
                let line = lines[index]
                if line.allSatisfy({ $0 == " " }) {
                    body.append("")
                    index += 1
                    continue
                }
                let lineIndent = indentation(of: line)
                if lineIndent <= parentIndent { break }
                if blockIndent == nil { blockIndent = lineIndent }
                guard lineIndent >= blockIndent! else { throw error("block scalar line indented less than its first line") }
                body.append(String(line.dropFirst(blockIndent!)))
                index += 1
            }
            while body.last == "" { body.removeLast() }
            var text = folded ? body.joined(separator: " ") : body.joined(separator: "\n")
            if indicator != "-" && !body.isEmpty { text += "\n" }
            return .scalar(text)
        }

        /// `key: rest` (rest trimmed), or nil when the text is not a mapping entry.
        static func keySplit(_ content: String) -> (String, String)? {
            var key: String
            var afterKey: Substring
            if let quote = content.first, quote == "\"" || quote == "'" {
                guard let close = content.dropFirst().firstIndex(of: quote) else { return nil }
                key = String(content[content.index(after: content.startIndex)..<close])
                afterKey = content[content.index(after: close)...]
                guard afterKey.hasPrefix(":") else { return nil }
            } else {
                guard let colon = content.firstIndex(where: { $0 == ":" }),
                    content.index(after: colon) == content.endIndex || content[content.index(after: colon)] == " "
                else { return nil }
                key = String(content[..<colon])
                if key.isEmpty || key.contains(" #") || key.hasPrefix("[") || key.hasPrefix("{") { return nil }
                afterKey = content[colon...]
            }
            key = key.trimmingSpaces
            return (key, String(afterKey.dropFirst()).trimmingSpaces)
        }

        func inline(_ text: String) throws -> Node {
            var scanner = Scanner(text: Array(text), line: index + 1)
            let node = try scanner.value(flow: false)
            try scanner.expectEnd()
            return node
        }
    }

    /// Reads one inline value: a quoted or plain scalar, or a flow collection of them.
    private struct Scanner {
        let text: [Character]
        let line: Int
        var position = 0

        func error(_ message: String) -> ParseError { ParseError(line: line, message: message) }

        mutating func skipSpaces() {
            while position < text.count && text[position] == " " { position += 1 }
        }

        mutating func expectEnd() throws {
            skipSpaces()
            if position < text.count && text[position] != "#" {
                throw error("unexpected '\(String(text[position...]))' after a value")
            }
        }

        mutating func value(flow: Bool) throws -> Node {
            skipSpaces()
            guard position < text.count else { return .scalar("") }
            switch text[position] {
            case "\"": return .scalar(try doubleQuoted())
            case "'": return .scalar(try singleQuoted())
            case "[": return try flowSequence()
            case "{": return try flowMapping()
            case "&", "*", "!", "%", "@", "`": throw error("unsupported YAML '\(text[position])'")
            default: return .scalar(plain(flow: flow))
            }
        }

        mutating func plain(flow: Bool) -> String {
            var out = ""
            while position < text.count {
                let c = text[position]
                if c == "#" && (out.isEmpty || out.last == " ") { break }
                if flow && (c == "," || c == "]" || c == "}") { break }
                if flow && c == ":" && (position + 1 == text.count || text[position + 1] == " ") { break }
                out.append(c)
                position += 1
            }
            return out.trimmingSpaces
        }

        mutating func doubleQuoted() throws -> String {
            position += 1
            var out = ""
            while position < text.count {
                let c = text[position]
                position += 1
                if c == "\"" { return out }
                if c == "\\" {
                    guard position < text.count else { break }
                    let escaped = text[position]
                    position += 1
                    switch escaped {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "\"", "\\", "/": out.append(escaped)
                    default: throw error("unsupported escape '\\\(escaped)'")
                    }
                } else {
                    out.append(c)
                }
            }
            throw error("unterminated double-quoted string")
        }

        mutating func singleQuoted() throws -> String {
            position += 1
            var out = ""
            while position < text.count {
                let c = text[position]
                position += 1
                if c == "'" {
                    if position < text.count && text[position] == "'" {
                        out.append("'")
                        position += 1
                        continue
                    }
                    return out
                }
                out.append(c)
            }
            throw error("unterminated single-quoted string")
        }

        mutating func flowSequence() throws -> Node {
            position += 1
            var items: [Node] = []
            while true {
                skipSpaces()
                guard position < text.count else { throw error("unterminated flow sequence") }
                if text[position] == "]" {
                    position += 1
                    return .sequence(items)
                }
                items.append(try value(flow: true))
                skipSpaces()
                if position < text.count && text[position] == "," { position += 1 }
            }
        }

        mutating func flowMapping() throws -> Node {
            position += 1
            var entries: [Entry] = []
            while true {
                skipSpaces()
                guard position < text.count else { throw error("unterminated flow mapping") }
                if text[position] == "}" {
                    position += 1
                    return .mapping(entries)
                }
                guard case .scalar(let key) = try value(flow: true) else { throw error("a flow mapping key must be a scalar") }
                skipSpaces()
                guard position < text.count, text[position] == ":" else { throw error("expected ':' after '\(key)'") }
                position += 1
                entries.append(Entry(key: key, value: try value(flow: true)))
                skipSpaces()
                if position < text.count && text[position] == "," { position += 1 }
            }
        }
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
