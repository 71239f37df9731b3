public import BlobStore
import Crypto
public import CurlClient
public import Foundation
public import S3
import VelocityTypes

/// Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, R2, moto), under a key prefix,
/// so the gateway and a GPU box on another machine share uploads and renders through S3 alone.
///
/// Uploads stage on local disk (a `FileBlobStore` as the staging area: appends never hold the
/// blob in memory), and `commit` sends them: one signed `PUT` up to `multipartThreshold`, S3's
/// multipart upload in `partSize` pieces above it (aborted on failure, so no parts linger).
/// Reads are signed `GET`s (ranged for pieces), `HEAD` for sizes; `readURL` presigns a `GET`.
public struct S3BlobStore: BlobStore {
    public struct Configuration: Sendable {
        public var bucket: String
        /// Prepended to every key (`velocity/` → `velocity/renders/…`); empty for none.
        public var prefix: String
        public var credentials: AWSCredentials
        /// Where uploads stage before they are sent.
        public var stagingDirectory: URL
        public var partSize = 8 * 1024 * 1024
        public var multipartThreshold = 16 * 1024 * 1024

        public init(bucket: String, prefix: String = "", credentials: AWSCredentials, stagingDirectory: URL) {
            self.bucket = bucket
            self.prefix = prefix
            self.credentials = credentials
            self.stagingDirectory = stagingDirectory
        }
    }

    public let configuration: Configuration
    let signer: SigV4Signer
    let http: CurlHTTPClient
    let staging: FileBlobStore

    public init(configuration: Configuration, http: CurlHTTPClient) throws {
        guard !configuration.bucket.isEmpty else { throw BlobStoreError(.blobIO, "the S3 blob store needs a bucket") }
        guard configuration.partSize >= 5 * 1024 * 1024, configuration.multipartThreshold >= configuration.partSize else {
            throw BlobStoreError(.blobIO, "S3 parts are at least 5 MiB and the multipart threshold at least one part")
        }
        self.configuration = configuration
        self.signer = SigV4Signer(credentials: configuration.credentials)
        self.http = http
        self.staging = try FileBlobStore(root: configuration.stagingDirectory)
    }

    public func beginUpload() async throws -> any BlobUpload {
        S3BlobUpload(store: self, staged: try await staging.beginUpload())
    }

    public func read(_ key: String) async throws -> [UInt8] {
        let response = try await send("GET", key)
        guard response.status == 200 else { throw failure(response, "GET", key) }
        return response.body
    }

    public func read(_ key: String, offset: Int64, maxBytes: Int) async throws -> [UInt8] {
        guard maxBytes > 0 else {
            guard try await size(key) != nil else { throw BlobStoreError(.blobNotFound, "no blob '\(key)'") }
            return []
        }
        let response = try await send("GET", key, headers: [("range", "bytes=\(offset)-\(offset + Int64(maxBytes) - 1)")])
        switch response.status {
        case 200: return Array(response.body.dropFirst(Int(offset)).prefix(maxBytes))
        case 206: return response.body
        // Past the end of an existing object: nothing, as a file would give.
        case 416: return []
        default: throw failure(response, "GET", key)
        }
    }

    public func size(_ key: String) async throws -> Int? {
        let response = try await send("HEAD", key)
        if response.status == 404 { return nil }
        guard response.status == 200, let length = response.headers["Content-Length"].flatMap({ Int($0) }) else {
            throw failure(response, "HEAD", key)
        }
        return length
    }

    public func delete(_ key: String) async throws {
        let response = try await send("DELETE", key)
        guard response.status == 204 || response.status == 200 || response.status == 404 else {
            throw failure(response, "DELETE", key)
        }
    }

    public func readURL(_ key: String, expiresIn: Duration) async throws -> String? {
        try BlobKey.validate(key)
        let location = signer.objectLocation(bucket: configuration.bucket, key: configuration.prefix + key)
        return signer.presignedURL(
            url: location.url, path: location.path, host: location.host, expires: expiresIn, date: Date())
    }

    // MARK: requests

    /// A signed request for the object of `key`; `body` is hashed into the signature.
    func send(
        _ method: String, _ key: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: [UInt8]? = nil
    ) async throws -> HTTPClientResponse {
        try BlobKey.validate(key)
        let location = signer.objectLocation(bucket: configuration.bucket, key: configuration.prefix + key)
        let payloadHash = body.map { Hex.lowercase(SHA256.hash(data: $0)) } ?? SigV4Signer.unsignedPayload
        let signed = signer.sign(
            method: method, path: location.path, query: query, headers: [("host", location.host)] + headers,
            payloadHash: payloadHash, date: Date())
        let queryText = SigV4Signer.canonicalQuery(query)
        var request = HTTPClientRequest(
            method: method, url: location.url + (queryText.isEmpty ? "" : "?" + queryText),
            body: body.map { .bytes($0) } ?? .none)
        for header in signed.headers where header.name != "host" { request.headers.add(header.name, header.value) }
        // Blobs are as large as they are; timeouts still bound a stalled transfer.
        request.maxResponseBytes = Int.max
        do {
            return try await http.execute(request)
        } catch {
            throw BlobStoreError(
                .blobIO, "S3 \(method) s3://\(configuration.bucket)/\(configuration.prefix)\(key) failed", cause: error)
        }
    }

    /// A refusal as a blob store error: 404 is `.blobNotFound`, the rest `.blobIO` with S3's
    /// own `<Code>` and `<Message>`.
    func failure(_ response: HTTPClientResponse, _ method: String, _ key: String) -> BlobStoreError {
        if response.status == 404 { return BlobStoreError(.blobNotFound, "no blob '\(key)'") }
        let text = String(decoding: response.body.prefix(2_000), as: UTF8.self)
        func element(_ name: String) -> String? {
            guard let open = text.range(of: "<\(name)>"),
                let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
            else { return nil }
            return String(text[open.upperBound..<close.lowerBound])
        }
        let said = [element("Code"), element("Message")].compactMap { $0 }.joined(separator: ": ")
        return BlobStoreError(
            .blobIO,
            "S3 \(method) s3://\(configuration.bucket)/\(configuration.prefix)\(key) answered \(response.status)"
                + (said.isEmpty ? "" : ": \(said)"))
    }
}
