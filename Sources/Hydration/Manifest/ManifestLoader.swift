import Foundation
import Yams

/// Reads and validates manifests: every problem is refused with the entry and field named,
/// before anything is downloaded.
public enum ManifestLoader {
    /// The modes a box runs, one manifest each.
    public static let modes = ["media", "llm", "split"]

    /// Loads `<directory>/<mode>.yaml`.
    public static func load(mode: String, directory: String) throws -> HydrationManifest {
        let path = directory + "/" + mode + ".yaml"
        let manifest = try load(path: path)
        guard manifest.mode == mode else {
            throw HydrationError(
                .invalidManifest,
                ManifestError(file: path, field: "mode", reason: "says \(manifest.mode), expected \(mode)").description)
        }
        return manifest
    }

    /// Loads and validates one manifest file.
    public static func load(path: String) throws -> HydrationManifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HydrationError(.invalidManifest, "\(path): cannot read the manifest")
        }
        do {
            return try parse(String(decoding: data, as: UTF8.self), path: path)
        } catch {
            throw HydrationError(.invalidManifest, error.description, cause: error)
        }
    }

    /// Every manifest (`*.yaml`) in `directory`, sorted by file name.
    public static func loadAll(directory: String) throws -> [HydrationManifest] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let yamls = names.filter { $0.hasSuffix(".yaml") }.sorted()
        guard !yamls.isEmpty else {
            throw HydrationError(.invalidManifest, "\(directory): no manifests (*.yaml) found")
        }
        return try yamls.map { try load(path: directory + "/" + $0) }
    }

    /// Parses YAML text; `path` names the file in errors and anchors relative `file://` sources.
    public static func parse(_ text: String, path: String) throws(ManifestError) -> HydrationManifest {
        let root: Any?
        do {
            root = try Yams.load(yaml: text)
        } catch {
            throw ManifestError(file: path, reason: "not valid YAML: \(error)")
        }
        guard let document = root as? [String: Any] else {
            throw ManifestError(file: path, reason: "expected a mapping with `mode` and `models`")
        }
        for key in document.keys where !["mode", "models"].contains(key) {
            throw ManifestError(file: path, field: key, reason: "unknown field")
        }
        guard let mode = document["mode"] as? String, !mode.isEmpty else {
            throw ManifestError(file: path, field: "mode", reason: "missing or not a string")
        }
        guard let entries = document["models"] as? [Any] else {
            throw ManifestError(file: path, field: "models", reason: "missing or not a list")
        }
        let base = absoluteDirectory(of: path)
        var models: [ManifestModel] = []
        var names: Set<String> = []
        var destinations: [String: String] = [:]
        for (index, raw) in entries.enumerated() {
            let model = try EntryParser(file: path, index: index, baseDirectory: base).parse(raw)
            guard names.insert(model.name).inserted else {
                throw ManifestError(file: path, index: index, name: model.name, field: "name", reason: "duplicate name")
            }
            for file in model.files {
                if let other = destinations[file.destination] {
                    throw ManifestError(
                        file: path, index: index, name: model.name, field: "destination",
                        reason: "\(file.destination) is also the destination of \(other)")
                }
                destinations[file.destination] = model.name
            }
            models.append(model)
        }
        let llmModels = models.filter { $0.kind == .llmWeights }
        if llmModels.count > 1 {
            throw ManifestError(
                file: path, name: llmModels[1].name, field: "kind",
                reason: "a mode serves one LLM: only one llm_weights entry is allowed")
        }
        return HydrationManifest(mode: mode, path: path, models: models)
    }

    static func absoluteDirectory(of path: String) -> String {
        let url = URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL
        return url.path
    }
}
