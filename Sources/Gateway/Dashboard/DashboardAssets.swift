import Foundation

/// The dashboard's files (HTML, CSS, JavaScript modules), read once from the module's
/// resources: only these paths are ever served, so no request can name another file.
struct DashboardAssets: Sendable {
    struct Asset: Sendable {
        var bytes: [UInt8]
        var contentType: String
    }

    /// By path relative to the site folder: `index.html`, `app.css`, `js/app.js`, …
    let files: [String: Asset]

    /// The page may load only what it ships and talk only to this gateway: no inline script
    /// or style, no other origin, no framing.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

    static let contentTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon", "json": "application/json",
    ]

    /// The files under `root`; a file of a type not in `contentTypes` is left out.
    init(root: URL) {
        var files: [String: Asset] = [:]
        let rootPath = root.standardizedFileURL.path
        if let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) {
            for case let url as URL in walker {
                guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                    let type = Self.contentTypes[url.pathExtension.lowercased()],
                    let data = FileManager.default.contents(atPath: url.path)
                else { continue }
                let path = String(url.standardizedFileURL.path.dropFirst(rootPath.count + 1))
                files[path] = Asset(bytes: Array(data), contentType: type)
            }
        }
        self.files = files
    }

    /// The files shipped in the Gateway module.
    static let shipped: DashboardAssets = {
        guard let root = Bundle.module.url(forResource: "site", withExtension: nil) else {
            return DashboardAssets(root: URL(fileURLWithPath: "/nonexistent"))
        }
        return DashboardAssets(root: root)
    }()
}
