import Foundation
import Hummingbird
import NIOPosix

extension ComfyUIEmulator {
    /// `GET /view?filename=&subfolder=&type=`: the file itself; 400 for a name with `..` or a
    /// leading `/`, 403 for a subfolder outside the directory, 404 when there is no such file.
    func view(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let requested = query["filename"].map(String.init) else { return ComfyUIResponses.empty(.notFound) }
        let (name, annotatedDirectory) = folders.annotated(requested)
        guard !name.isEmpty, !name.hasPrefix("/"), !name.contains("..") else { return ComfyUIResponses.empty(.badRequest) }
        guard var directory = annotatedDirectory ?? folders.directory(forType: query["type"].map(String.init) ?? "output")
        else {
            return ComfyUIResponses.empty(.badRequest)
        }
        if let subfolder = query["subfolder"].map(String.init) {
            let joined = subfolder.hasPrefix("/") ? subfolder : directory + "/" + subfolder
            let full = ComfyUIExtraModelPaths.normalize(joined)
            guard ComfyUIFolders.contains(directory, full) else { return ComfyUIResponses.empty(.forbidden) }
            directory = full
        }
        let filename = name.split(separator: "/").last.map(String.init) ?? name
        let path = directory + "/" + filename
        let bytes = try await NIOThreadPool.singleton.runIfActive { () -> [UInt8]? in
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                return nil
            }
            return FileManager.default.contents(atPath: path).map { [UInt8]($0) }
        }
        guard let bytes else { return ComfyUIResponses.empty(.notFound) }
        try await Self.transfer(bytes.count, bytesPerSecond: configuration.downloadBytesPerSecond)
        return ComfyUIResponses.bytes(bytes, contentType: Self.contentType(filename), filename: filename)
    }

    /// The time `count` bytes take at the configured bandwidth (none when it is 0).
    static func transfer(_ count: Int, bytesPerSecond: Double) async throws {
        guard bytesPerSecond > 0, count > 0 else { return }
        try await Task.sleep(for: .seconds(Double(count) / bytesPerSecond))
    }

    /// `mimetypes.guess_type`, with the types ComfyUI forces to download.
    static func contentType(_ filename: String) -> String {
        switch filename.split(separator: ".").last.map({ $0.lowercased() }) ?? "" {
        case "png": return "image/png"
        case "jpg", "jpeg", "jpe": return "image/jpeg"
        case "webp": return "image/webp"
        case "gif": return "image/gif"
        case "bmp": return "image/bmp"
        case "tif", "tiff": return "image/tiff"
        case "json": return "application/json"
        case "txt": return "text/plain"
        case "mp4": return "video/mp4"
        case "webm": return "video/webm"
        case "wav": return "audio/x-wav"
        case "mp3": return "audio/mpeg"
        case "flac": return "audio/flac"
        default: return "application/octet-stream"
        }
    }

    /// `POST /upload/image` (multipart `image`, `overwrite`, `subfolder`, `type`): stores the
    /// file and answers `{name, subfolder, type}`. Without `overwrite` ("true" or "1") an
    /// existing name gets " (1)", " (2)", … before its extension, unless the existing file has
    /// the same content, which is then reused under its name.
    func uploadImage(_ request: Request) async throws -> Response {
        let bytes = try await body(request)
        try await Self.transfer(bytes.count, bytesPerSecond: configuration.uploadBytesPerSecond)
        guard let contentType = request.headers[.contentType],
            let boundary = ComfyUIMultipart.boundary(contentType: contentType)
        else {
            return ComfyUIResponses.empty(.badRequest)
        }
        let parts = try ComfyUIMultipart.parse(bytes, boundary: boundary)
        func field(_ name: String) -> ComfyUIMultipart.Part? { parts.first { $0.name == name } }
        guard let image = field("image") else { return ComfyUIResponses.empty(.badRequest) }
        guard let original = image.filename else {
            throw ComfyUIHandlerException(reason: "'str' object has no attribute 'file'")
        }
        guard !original.isEmpty else { return ComfyUIResponses.empty(.badRequest) }
        let type = field("type")?.text ?? "input"
        guard let directory = folders.directory(forType: type) else {
            throw ComfyUIHandlerException(reason: "Can't mix absolute and relative paths")
        }
        let overwrite = field("overwrite").map { $0.text == "true" || $0.text == "1" } ?? false
        let subfolder = field("subfolder")?.text ?? ""
        let relative = ComfyUIFolders.normpath(subfolder)
        let folder = ComfyUIExtraModelPaths.normalize(relative.hasPrefix("/") ? relative : directory + "/" + relative)
        let first = ComfyUIExtraModelPaths.normalize(folder + "/" + original)
        guard ComfyUIFolders.contains(directory, first), first != directory else { return ComfyUIResponses.empty(.badRequest) }
        let data = image.data
        let name = try await NIOThreadPool.singleton.runIfActive { () throws -> String in
            let files = FileManager.default
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var filename = original
            var path = first
            var duplicate = false
            if !overwrite {
                let (stem, ext) = Self.splitExtension(original)
                var counter = 1
                while files.fileExists(atPath: path) {
                    if files.contents(atPath: path).map({ [UInt8]($0) == data }) ?? false {
                        duplicate = true
                        break
                    }
                    filename = "\(stem) (\(counter))\(ext)"
                    path = folder + "/" + filename
                    counter += 1
                }
            }
            if !duplicate { try Data(data).write(to: URL(fileURLWithPath: path)) }
            return filename
        }
        return ComfyUIResponses.json(["name": .string(name), "subfolder": .string(subfolder), "type": .string(type)])
    }

    /// `os.path.splitext` of a file name.
    static func splitExtension(_ name: String) -> (String, String) {
        let base = name.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? name
        let stripped = base.drop(while: { $0 == "." })
        guard let dot = stripped.lastIndex(of: ".") else { return (name, "") }
        let ext = String(stripped[dot...])
        return (String(name.dropLast(ext.count)), ext)
    }
}
