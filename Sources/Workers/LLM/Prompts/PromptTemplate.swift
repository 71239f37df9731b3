import Foundation
public import VelocityTypes

/// A versioned prompt shipped in the repository (`prompts/<name>.md`): front matter with its
/// name and version, a `## system` and a `## user` message with `{{placeholders}}`, and an
/// optional `## answer schema` holding the JSON Schema of the answer in a ```json block.
///
/// Parsed once at start-up so a broken template stops the worker, not a job.
public struct PromptTemplate: Sendable, Equatable {
    public let name: String
    public let version: String
    public let system: String
    public let user: String
    /// The JSON Schema the answer must fit, when the template has one.
    public let answerSchema: JSONValue?
    /// Every `{{placeholder}}` the messages use.
    public let placeholders: Set<String>

    /// Reads `<directory>/<name>.md`.
    public static func load(named name: String, in directory: String) throws -> PromptTemplate {
        let path = (directory as NSString).appendingPathComponent("\(name).md")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw PromptTemplateError(.invalidPromptTemplate, "cannot read the prompt template \(path)")
        }
        let template = try PromptTemplate(parsing: text, source: path)
        guard template.name == name else {
            throw PromptTemplateError(.invalidPromptTemplate, "\(path): front matter names '\(template.name)', not '\(name)'")
        }
        return template
    }

    public init(parsing text: String, source: String = "prompt") throws {
        // `\r\n` is one Character in Swift: split on every newline so CRLF files read the same.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        guard lines.first == "---", let end = lines.dropFirst().firstIndex(of: "---") else {
            throw PromptTemplateError(.invalidPromptTemplate, "\(source): must start with front matter between '---' lines")
        }
        var front: [String: String] = [:]
        for line in lines[1..<end] where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else {
                throw PromptTemplateError(.invalidPromptTemplate, "\(source): front matter line '\(line)' is not 'key: value'")
            }
            front[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let name = front["name"], !name.isEmpty, let version = front["version"], !version.isEmpty else {
            throw PromptTemplateError(.invalidPromptTemplate, "\(source): front matter needs 'name' and 'version'")
        }
        var sections: [String: [String]] = [:]
        var current: String?
        for line in lines[(end + 1)...] {
            if line.hasPrefix("## ") {
                current = String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces).lowercased()
                sections[current!] = []
            } else if let section = current {
                sections[section]!.append(line)
            }
        }
        func body(_ section: String) -> String? {
            sections[section].map { $0.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines) }
        }
        guard let system = body("system"), !system.isEmpty, let user = body("user"), !user.isEmpty else {
            throw PromptTemplateError(.invalidPromptTemplate, "\(source): needs non-empty '## system' and '## user' sections")
        }
        var schema: JSONValue?
        if let block = body("answer schema") {
            guard block.hasPrefix("```json"), block.hasSuffix("```"),
                let value = JSONValue(parsing: String(block.dropFirst(7).dropLast(3)))
            else {
                throw PromptTemplateError(.invalidPromptTemplate, "\(source): '## answer schema' must be one ```json block of valid JSON")
            }
            schema = value
        }
        self.name = name
        self.version = version
        self.system = system
        self.user = user
        self.answerSchema = schema
        self.placeholders = Self.placeholders(in: system).union(Self.placeholders(in: user))
    }

    /// The system and user messages with every placeholder filled; a value missing, or one
    /// the template does not use, is a programming error reported as such.
    public func messages(_ values: [String: String]) throws -> [JSONValue] {
        guard Set(values.keys) == placeholders else {
            throw PromptTemplateError(
                .invalidPromptTemplate, "\(name) v\(version) uses {{\(placeholders.sorted().joined(separator: "}}, {{"))}}, "
                    + "given \(values.keys.sorted().joined(separator: ", "))")
        }
        // One pass over the template: a value that itself holds `{{…}}` (a lead id, a video
        // asset id) stays text, whatever order the values come in.
        func fill(_ text: String) -> String {
            var filled = ""
            var rest = text[...]
            while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
                filled += rest[..<open.lowerBound]
                let name = String(rest[open.upperBound..<close.lowerBound])
                filled += values[name] ?? String(rest[open.lowerBound..<close.upperBound])
                rest = rest[close.upperBound...]
            }
            return filled + rest
        }
        return [
            .object(["role": .string("system"), "content": .string(fill(system))]),
            .object(["role": .string("user"), "content": .string(fill(user))]),
        ]
    }

    static func placeholders(in text: String) -> Set<String> {
        var found: Set<String> = []
        var rest = text[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            found.insert(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return found
    }
}
