/// Validates one `models[i]` entry of a manifest.
struct EntryParser {
    static let fileFields: Set<String> = ["path", "source", "size", "sha256"]
    static let singleFields: Set<String> = ["name", "kind", "source", "size", "sha256", "destination"]
    static let directoryFields: Set<String> = ["name", "kind", "destination", "files"]

    let file: String
    let index: Int
    let baseDirectory: String

    func parse(_ raw: Any) throws(ManifestError) -> ManifestModel {
        guard let entry = raw as? [String: Any] else {
            throw error(nil, nil, "expected a mapping")
        }
        guard let name = entry["name"] as? String, !name.isEmpty else {
            throw error(nil, "name", "missing or not a string")
        }
        guard let kindText = entry["kind"] as? String else {
            throw error(name, "kind", "missing or not a string")
        }
        guard let kind = ModelKind(rawValue: kindText) else {
            let known = ModelKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw error(name, "kind", "unknown kind \(kindText) (one of \(known))")
        }
        guard let destination = entry["destination"] as? String else {
            throw error(name, "destination", "missing or not a string")
        }
        try checkRelative(destination, name: name, field: "destination")
        let components = destination.split(separator: "/")
        guard components.first.map(String.init) == kind.folder, components.count >= 2 else {
            throw error(name, "destination", "a \(kind.rawValue) goes under \(kind.folder)/, e.g. \(kind.folder)/<name>")
        }
        let allowed = kind == .llmWeights ? Self.directoryFields : Self.singleFields
        for key in entry.keys.sorted() where !allowed.contains(key) {
            throw error(name, key, "unknown field for a \(kind.rawValue) entry")
        }
        if kind == .llmWeights {
            guard let list = entry["files"] as? [Any], !list.isEmpty else {
                throw error(name, "files", "an llm_weights entry lists its files (path, source, size, sha256)")
            }
            var files: [ManifestFile] = []
            var paths: Set<String> = []
            for (position, item) in list.enumerated() {
                let prefix = "files[\(position)]"
                guard let fields = item as? [String: Any] else { throw error(name, prefix, "expected a mapping") }
                for key in fields.keys.sorted() where !Self.fileFields.contains(key) {
                    throw error(name, "\(prefix).\(key)", "unknown field")
                }
                guard let path = fields["path"] as? String else {
                    throw error(name, "\(prefix).path", "missing or not a string")
                }
                try checkRelative(path, name: name, field: "\(prefix).path")
                guard paths.insert(path).inserted else { throw error(name, "\(prefix).path", "duplicate path \(path)") }
                files.append(try fileFields(fields, name: name, prefix: prefix + ".", destination: destination + "/" + path))
            }
            return ManifestModel(name: name, kind: kind, destination: destination, files: files)
        }
        let single = try fileFields(entry, name: name, prefix: "", destination: destination)
        return ManifestModel(name: name, kind: kind, destination: destination, files: [single])
    }

    private func fileFields(_ fields: [String: Any], name: String, prefix: String, destination: String)
        throws(ManifestError) -> ManifestFile
    {
        guard let sourceText = fields["source"] as? String else {
            throw error(name, prefix + "source", "missing or not a string")
        }
        guard let source = ModelSource.parse(sourceText, baseDirectory: baseDirectory) else {
            throw error(name, prefix + "source", "unsupported or malformed source \(sourceText) (file://, https://, http:// or s3://bucket/key)")
        }
        guard let rawSize = fields["size"] else { throw error(name, prefix + "size", "missing") }
        guard let size = (rawSize as? Int).map(Int64.init) ?? (rawSize as? Int64) else {
            throw error(name, prefix + "size", "not an integer")
        }
        guard size >= 0 else { throw error(name, prefix + "size", "negative size \(size)") }
        guard let digest = fields["sha256"] as? String else {
            throw error(name, prefix + "sha256", "missing or not a string (quote a digest YAML would read as a number)")
        }
        let lower = digest.lowercased()
        guard lower.utf8.count == 64, lower.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw error(name, prefix + "sha256", "not 64 hexadecimal digits")
        }
        return ManifestFile(model: name, source: source, size: size, sha256: lower, destination: destination)
    }

    /// A destination stays inside the snapshot: relative, no `..`, `.` or empty components.
    private func checkRelative(_ path: String, name: String, field: String) throws(ManifestError) {
        if path.isEmpty || path.hasPrefix("/") {
            throw error(name, field, "must be a relative path inside the store")
        }
        for component in path.split(separator: "/", omittingEmptySubsequences: false)
        where component.isEmpty || component == "." || component == ".." {
            throw error(name, field, "\(path) escapes or is not a clean path (no '..', '.', or '//')")
        }
        if path.utf8.contains(0) || path.contains("\n") {
            throw error(name, field, "has a control character in it")
        }
    }

    private func error(_ name: String?, _ field: String?, _ reason: String) -> ManifestError {
        ManifestError(file: file, index: index, name: name, field: field, reason: reason)
    }
}
