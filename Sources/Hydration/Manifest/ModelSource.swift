/// Where a model file comes from.
public enum ModelSource: Sendable, Equatable, CustomStringConvertible {
    /// A local file; relative `file://` paths are resolved against the manifest's directory.
    case file(path: String)
    /// An `http://` or `https://` URL, fetched in parallel byte ranges.
    case http(url: String)
    /// An object in S3 (or an S3-compatible store), fetched with SigV4-signed ranged GETs.
    case s3(bucket: String, key: String)

    public var description: String {
        switch self {
        case .file(let path): "file://\(path)"
        case .http(let url): url
        case .s3(let bucket, let key): "s3://\(bucket)/\(key)"
        }
    }

    /// Parses a manifest `source`; nil for an unsupported scheme or a malformed value.
    /// `baseDirectory` (absolute) anchors relative `file://` paths.
    public static func parse(_ text: String, baseDirectory: String) -> ModelSource? {
        if text.hasPrefix("file://") {
            let path = String(text.dropFirst("file://".count))
            guard !path.isEmpty else { return nil }
            if path.hasPrefix("/") { return .file(path: path) }
            return .file(path: baseDirectory + "/" + path)
        }
        if text.hasPrefix("https://") || text.hasPrefix("http://") {
            let rest = text.drop(while: { $0 != ":" }).dropFirst(3)
            guard let host = rest.split(separator: "/", maxSplits: 1).first, !host.isEmpty,
                !text.contains(" ")
            else { return nil }
            return .http(url: text)
        }
        if text.hasPrefix("s3://") {
            let rest = text.dropFirst("s3://".count)
            let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
            return .s3(bucket: String(parts[0]), key: String(parts[1]))
        }
        return nil
    }
}
