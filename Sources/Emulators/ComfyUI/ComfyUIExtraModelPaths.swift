import Foundation

/// The model folders of a ComfyUI `extra_model_paths.yaml` (`--extra-model-paths-config`),
/// resolved as ComfyUI's `load_extra_path_config` resolves them: each top-level section may
/// have a `base_path` (relative to the file's directory) that prefixes its folder paths; a
/// folder value may list several paths, one per line (`|` block).
///
/// Understands the subset of YAML these files use: two levels of `key: value` mappings,
/// quoted or plain scalars, `|`/`|-` block scalars, comments.
public struct ComfyUIExtraModelPaths: Sendable, Equatable {
    /// Folder name (`checkpoints`, `loras`, …) → absolute directories, in file order.
    public var folders: [String: [String]] = [:]

    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "extra model paths line \(line): \(message)" }
    }

    public init(folders: [String: [String]] = [:]) {
        self.folders = folders
    }

    /// Parses the text of a file that lives in `directory` (relative paths resolve against it).
    public init(yaml: String, directory: String) throws(ParseError) {
        let sections = try Self.sections(yaml)
        for (_, entries) in sections {
            var base: String?
            if let value = entries.first(where: { $0.key == "base_path" })?.value {
                base = Self.absolute(Self.expandHome(value), relativeTo: directory)
            }
            for (key, value) in entries where key != "base_path" && key != "is_default" {
                for line in value.split(separator: "\n", omittingEmptySubsequences: true) {
                    let path = String(line)
                    let full = base.map { Self.join($0, path) } ?? Self.absolute(path, relativeTo: directory)
                    folders[key, default: []].append(Self.normalize(full))
                }
            }
        }
    }

    /// Sections in order, each a list of (key, value) entries; block scalars joined by "\n".
    static func sections(_ yaml: String) throws(ParseError) -> [(String, [(key: String, value: String)])] {
        var sections: [(String, [(key: String, value: String)])] = []
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        while index < lines.count {
            let raw = lines[index]
            let lineNumber = index + 1
            index += 1
            let content = stripComment(raw)
            if content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
            let indent = raw.prefix(while: { $0 == " " }).count
            guard let colon = content.firstIndex(of: ":") else {
                throw ParseError(line: lineNumber, message: "expected 'key: value'")
            }
            let key = unquote(String(content[..<colon]).trimmingCharacters(in: .whitespacesAndNewlines))
            var value = String(content[content.index(after: colon)...]).trimmingCharacters(in: .whitespacesAndNewlines)
            if indent == 0 {
                guard value.isEmpty || value == "null" || value == "~" else {
                    throw ParseError(line: lineNumber, message: "a top-level key holds a mapping of folders")
                }
                sections.append((key, []))
                continue
            }
            guard !sections.isEmpty else { throw ParseError(line: lineNumber, message: "indented key outside a section") }
            if value == "|" || value == "|-" || value == "|+" {
                var block: [String] = []
                var blockIndent: Int?
                while index < lines.count {
                    let next = lines[index]
                    let nextIndent = next.prefix(while: { $0 == " " }).count
                    if next.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                        block.append("")
                        index += 1
                        continue
                    }
                    if nextIndent <= indent { break }
                    blockIndent = blockIndent ?? nextIndent
                    block.append(String(next.dropFirst(min(nextIndent, blockIndent!))).trimmingCharacters(in: .newlines))
                    index += 1
                }
                value = block.joined(separator: "\n")
            } else {
                value = unquote(value)
            }
            sections[sections.count - 1].1.append((key, value))
        }
        return sections
    }

    private static func stripComment(_ line: String) -> String {
        var inSingle = false
        var inDouble = false
        var previous: Character = " "
        for (offset, character) in line.enumerated() {
            switch character {
            case "'" where !inDouble: inSingle.toggle()
            case "\"" where !inSingle: inDouble.toggle()
            case "#" where !inSingle && !inDouble && (previous == " " || previous == "\t" || offset == 0):
                return String(line.prefix(offset))
            default: break
            }
            previous = character
        }
        return line
    }

    private static func unquote(_ value: String) -> String {
        if value.count >= 2, let first = value.first, first == value.last, first == "'" || first == "\"" {
            return String(value.dropFirst().dropLast())
        }
        return value
    }

    private static func expandHome(_ path: String) -> String {
        guard path.hasPrefix("~"), let home = ProcessEnvironment.home else { return path }
        return home + path.dropFirst()
    }

    static func absolute(_ path: String, relativeTo directory: String) -> String {
        path.hasPrefix("/") ? path : join(directory, path)
    }

    static func join(_ base: String, _ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return base.hasSuffix("/") ? base + path : base + "/" + path
    }

    /// `os.path.normpath` for absolute paths: no `.`, no `..`, no doubled or trailing slashes.
    static func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if !parts.isEmpty { parts.removeLast() }
                continue
            }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}

/// The few environment facts the emulator reads.
enum ProcessEnvironment {
    static var home: String? {
        guard let value = getenv("HOME") else { return nil }
        return String(cString: value)
    }
}
