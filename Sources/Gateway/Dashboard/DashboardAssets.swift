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

    /// The name SwiftPM gives the Gateway module's resources, next to the executable it builds.
    static let bundleName = "velocity-jobs_Gateway.resources"

    /// Where the site is: `configured` (the gateway's `dashboard_directory`) alone when set, else the module's
    /// resources next to the executable (`swift build` puts them there; an install copies them
    /// along), else `<prefix>/share/velocity/dashboard` beside a `<prefix>/bin/velocity`. Not
    /// `Bundle.module`, which stops the process when its bundle is missing.
    static func locate(configured: String? = nil) -> URL? {
        var candidates: [URL] = []
        if let configured, !configured.isEmpty {
            // A folder the operator named is the only place looked at.
            let url = URL(fileURLWithPath: configured)
            return FileManager.default.fileExists(atPath: url.appendingPathComponent("index.html").path) ? url : nil
        }
        let executable = URL(
            fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0]
        ).standardizedFileURL
        let directory = executable.deletingLastPathComponent()
        candidates.append(directory.appendingPathComponent(bundleName).appendingPathComponent("site"))
        candidates.append(
            directory.deletingLastPathComponent().appendingPathComponent("share/velocity/dashboard"))
        return candidates.first {
            FileManager.default.fileExists(atPath: $0.appendingPathComponent("index.html").path)
        }
    }

    /// The site as found by `locate()`, read once; empty (every page a 404 that says where the
    /// files belong) when it is nowhere.
    static let shipped: DashboardAssets = located(configured: nil)

    static func located(configured: String?) -> DashboardAssets {
        guard let root = locate(configured: configured) else {
            return DashboardAssets(root: URL(fileURLWithPath: "/nonexistent"))
        }
        return DashboardAssets(root: root)
    }
}
