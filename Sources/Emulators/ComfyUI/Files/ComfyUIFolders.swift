import Foundation

/// ComfyUI's `folder_paths`: the input, output and temp directories, the model folders, and
/// the file-name rules of uploads and saved images. Blocking file I/O: call it from a thread
/// pool, never from the cooperative pool.
struct ComfyUIFolders: Sendable {
    let input: String
    let output: String
    let temp: String
    let modelFolders: [String: [String]]
    let extraCheckpoints: [String]
    let extraLoras: [String]

    /// folder_paths' `supported_pt_extensions`.
    static let modelExtensions: Set<String> = ["ckpt", "pt", "pt2", "bin", "pth", "safetensors", "pkl", "sft"]
    /// Extensions `mimetypes` maps to `image/*` (LoadImage lists only these).
    static let imageExtensions: Set<String> = [
        "png", "jpg", "jpeg", "jpe", "webp", "gif", "bmp", "tif", "tiff", "ico", "svg", "avif", "heic", "heif",
    ]

    init(configuration: ComfyUIEmulatorConfiguration) {
        let cwd = FileManager.default.currentDirectoryPath
        func absolute(_ path: String) -> String {
            ComfyUIExtraModelPaths.normalize(ComfyUIExtraModelPaths.absolute(path, relativeTo: cwd))
        }
        input = absolute(configuration.inputDirectory)
        output = absolute(configuration.outputDirectory)
        temp = absolute(configuration.tempDirectory)
        modelFolders = configuration.modelFolders.mapValues { $0.map(absolute) }
        extraCheckpoints = configuration.checkpoints
        extraLoras = configuration.loras
    }

    /// Creates the directories and empties temp, as ComfyUI does at start.
    func prepare() throws {
        let files = FileManager.default
        if files.fileExists(atPath: temp) { try files.removeItem(atPath: temp) }
        for directory in [input, output, temp] {
            try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
    }

    /// `get_directory_by_type`.
    func directory(forType type: String) -> String? {
        switch type {
        case "input": return input
        case "output": return output
        case "temp": return temp
        default: return nil
        }
    }

    /// `get_filename_list(folder)`: model files found under the folder's directories (relative,
    /// recursive) plus the configured names, sorted.
    func modelFiles(_ folder: String) -> [String] {
        var names = Set(folder == "checkpoints" ? extraCheckpoints : folder == "loras" ? extraLoras : [])
        for directory in modelFolders[folder] ?? [] {
            guard let enumerator = FileManager.default.enumerator(atPath: directory) else { continue }
            while let relative = enumerator.nextObject() as? String {
                if relative.split(separator: "/").contains(".git") { continue }
                let ext = relative.split(separator: ".").last.map { $0.lowercased() } ?? ""
                guard Self.modelExtensions.contains(ext) else { continue }
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: directory + "/" + relative, isDirectory: &isDirectory),
                    !isDirectory.boolValue
                {
                    names.insert(relative)
                }
            }
        }
        return names.sorted()
    }

    /// LoadImage's choices: the image files directly in the input directory, sorted.
    func inputImages() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []
        return entries.filter { name in
            var isDirectory: ObjCBool = false
            let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
            return Self.imageExtensions.contains(ext)
                && FileManager.default.fileExists(atPath: input + "/" + name, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }.sorted()
    }

    /// `annotated_filepath`: a trailing ` [input]`, ` [output]` or ` [temp]` picks the directory.
    func annotated(_ name: String) -> (name: String, directory: String?) {
        for (suffix, directory) in [("[output]", output), ("[input]", input), ("[temp]", temp)] where name.hasSuffix(suffix) {
            return (String(name.dropLast(suffix.count + 1)), directory)
        }
        return (name, nil)
    }

    /// The file LoadImage reads for `name` (input directory unless annotated), when it exists.
    /// Unlike ComfyUI, a name that climbs out of its directory (`..`) never exists here.
    func inputImagePath(_ name: String) -> String? {
        let (file, directory) = annotated(name)
        guard !file.isEmpty, !file.split(separator: "/").contains("..") else { return nil }
        let path = (directory ?? input) + "/" + file
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            return nil
        }
        return path
    }

    /// `os.path.commonpath((base, path)) == base` for normalized absolute paths.
    static func contains(_ base: String, _ path: String) -> Bool {
        path == base || path.hasPrefix(base.hasSuffix("/") ? base : base + "/")
    }

    /// The result of `get_save_image_path`.
    struct SavePath {
        var folder: String
        var filename: String
        var counter: Int
        var subfolder: String
    }

    struct OutsideOutputFolder: Error {
        var message: String
    }

    /// `get_save_image_path`: `%width%`/`%height%`/date variables, the prefix's subfolder
    /// (never outside `directory`), and the next counter after the highest
    /// `<filename>_<digits>_…` file there.
    func saveImagePath(prefix rawPrefix: String, directory: String, width: Int, height: Int) throws(OutsideOutputFolder)
        -> SavePath
    {
        var prefix = rawPrefix
        if prefix.contains("%") { prefix = Self.substituteVariables(prefix, width: width, height: height) }
        let normalized = Self.normpath(prefix)
        let lastSlash = normalized.lastIndex(of: "/")
        let subfolder = lastSlash.map { String(normalized[..<$0]) } ?? ""
        let filename = lastSlash.map { String(normalized[normalized.index(after: $0)...]) } ?? normalized
        let joined = subfolder.hasPrefix("/") ? subfolder : subfolder.isEmpty ? directory : directory + "/" + subfolder
        let folder = ComfyUIExtraModelPaths.normalize(joined)
        guard Self.contains(directory, folder) else {
            throw OutsideOutputFolder(
                message: "**** ERROR: Saving image outside the output folder is not allowed.\n full_output_folder: \(folder)\n         output_dir: \(directory)")
        }
        let prefixLength = (prefix.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? prefix).count
        var counter = 1
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: folder) {
            var best: Int?
            for entry in entries {
                let characters = Array(entry)
                guard characters.count > prefixLength else { continue }
                let head = String(characters[..<min(characters.count, prefixLength + 1)])
                guard head.dropLast() == Substring(filename), head.last == "_" else { continue }
                let rest = String(characters[(prefixLength + 1)...])
                let digits = Int(rest.split(separator: "_", omittingEmptySubsequences: false).first ?? "") ?? 0
                best = max(best ?? digits, digits)
            }
            if let best { counter = best + 1 }
        } else {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        return SavePath(folder: folder, filename: filename, counter: counter, subfolder: subfolder)
    }

    /// `os.path.normpath` for a relative path (keeps leading `..`).
    static func normpath(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if path.hasPrefix("/") { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    private static func substituteVariables(_ text: String, width: Int, height: Int) -> String {
        let now = Calendar.current.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date())
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return text.replacingOccurrences(of: "%width%", with: String(width))
            .replacingOccurrences(of: "%height%", with: String(height))
            .replacingOccurrences(of: "%year%", with: String(now.year ?? 0))
            .replacingOccurrences(of: "%month%", with: two(now.month))
            .replacingOccurrences(of: "%day%", with: two(now.day))
            .replacingOccurrences(of: "%hour%", with: two(now.hour))
            .replacingOccurrences(of: "%minute%", with: two(now.minute))
            .replacingOccurrences(of: "%second%", with: two(now.second))
    }
}
