import CurlClient
import S3
import Foundation

/// Builds the (signed) request for one range fetch of a source. S3 requests are signed anew
/// for each try, so a long download never sends a stale `x-amz-date`.
struct SourceRequests: Sendable {
    let signer: SigV4Signer?
    /// Sent as a bearer token to huggingface.co only (gated repositories); libcurl does not pass
    /// a custom `Authorization` on to the CDN host a download redirects to.
    let huggingFaceToken: String?

    func request(for source: ModelSource) throws -> HTTPClientRequest {
        switch source {
        case .http(let url):
            var request = HTTPClientRequest(url: url)
            if let huggingFaceToken, Self.host(of: url) == "huggingface.co" {
                request.headers.add("Authorization", "Bearer \(huggingFaceToken)")
            }
            return request
        case .s3(let bucket, let key):
            guard let signer else { throw HydrationError(.credentials, "no S3 credentials for s3://\(bucket)/\(key)") }
            let location = signer.objectLocation(bucket: bucket, key: key)
            let signed = signer.sign(method: "GET", path: location.path, headers: [("host", location.host)], date: Date())
            var request = HTTPClientRequest(url: location.url)
            // libcurl sends Host itself, from the URL: the same value that was signed.
            for header in signed.headers where header.name != "host" { request.headers.add(header.name, header.value) }
            return request
        case .file(let path):
            throw HydrationError(.io, "file://\(path) is copied, not fetched over HTTP")
        }
    }

    static func host(of url: String) -> String? {
        guard let scheme = url.range(of: "://") else { return nil }
        let rest = url[scheme.upperBound...]
        let authority = rest.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        return authority.split(separator: ":").first.map { $0.lowercased() }
    }

    /// A one-line reason from an error response: S3's `<Code>`/`<Message>`, or the start of the body.
    static func describe(status: Int, body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        func element(_ name: String) -> String? {
            guard let open = text.range(of: "<\(name)>"),
                let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
            else { return nil }
            return String(text[open.upperBound..<close.lowerBound])
        }
        if let code = element("Code") {
            return "HTTP \(status) \(code)" + (element("Message").map { ": \($0)" } ?? "")
        }
        let snippet = text.prefix(200).replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        return snippet.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(snippet)"
    }
}
