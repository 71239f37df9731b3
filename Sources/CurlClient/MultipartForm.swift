/// A `multipart/form-data` body. File parts are streamed from disk while sending, never loaded
/// into memory.
public struct MultipartForm: Sendable {
    public enum Content: Sendable {
        case text(String)
        case bytes([UInt8])
        /// A file on disk, read by libcurl as it sends.
        case file(path: String)
    }

    public struct Part: Sendable {
        public var name: String
        public var content: Content
        /// The `filename` of the part's Content-Disposition.
        public var filename: String?
        public var contentType: String?
    }

    public private(set) var parts: [Part] = []

    public init() {}

    /// A plain form field.
    public mutating func addField(_ name: String, _ value: String) {
        parts.append(Part(name: name, content: .text(value), filename: nil, contentType: nil))
    }

    /// A file from disk; `filename` defaults to the path's last component.
    public mutating func addFile(
        _ name: String, path: String, filename: String? = nil, contentType: String = "application/octet-stream"
    ) {
        let fallback = path.split(separator: "/").last.map(String.init) ?? path
        parts.append(Part(name: name, content: .file(path: path), filename: filename ?? fallback, contentType: contentType))
    }

    /// In-memory bytes sent as a file part.
    public mutating func addData(
        _ name: String, _ bytes: [UInt8], filename: String? = nil, contentType: String = "application/octet-stream"
    ) {
        parts.append(Part(name: name, content: .bytes(bytes), filename: filename, contentType: contentType))
    }

    /// A content type for a file name's extension, for the common upload types.
    public static func contentType(forFilename name: String) -> String {
        let ext = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch ext {
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "webp": return "image/webp"
        case "gif": return "image/gif"
        case "json": return "application/json"
        case "jsonl": return "application/jsonl"
        case "csv": return "text/csv"
        case "txt": return "text/plain"
        default: return "application/octet-stream"
        }
    }
}
