import BlobStore
import CurlClient
import Foundation

/// An upload to an `S3BlobStore`: staged on local disk, sent to the bucket at `commit`.
final class S3BlobUpload: BlobUpload {
    let store: S3BlobStore
    let staged: any BlobUpload

    init(store: S3BlobStore, staged: any BlobUpload) {
        self.store = store
        self.staged = staged
    }

    func append(_ bytes: [UInt8]) async throws { try await staged.append(bytes) }

    func byteCount() async -> Int { await staged.byteCount() }

    func stagedBytes() async throws -> [UInt8] { try await staged.stagedBytes() }

    /// Sends the staged bytes as the object of `key`; the staged file is gone either way (a
    /// failed commit is discarded by the caller, as with any store).
    func commit(as key: String) async throws {
        try BlobKey.validate(key)
        let local = "outgoing/\(UUID().uuidString)"
        try await staged.commit(as: local)
        do {
            let size = try await store.staging.size(local) ?? 0
            if size <= store.configuration.multipartThreshold {
                let response = try await store.send("PUT", key, body: try await store.staging.read(local))
                guard response.status == 200 else { throw store.failure(response, "PUT", key) }
            } else {
                try await sendInParts(local, size: size, as: key)
            }
        } catch {
            try? await store.staging.delete(local)
            throw error
        }
        try? await store.staging.delete(local)
    }

    func discard() async { await staged.discard() }

    /// S3's multipart upload: create, one `PUT` per part read from the staged file, complete;
    /// aborted on any failure so the bucket keeps no orphaned parts.
    private func sendInParts(_ local: String, size: Int, as key: String) async throws {
        let created = try await store.send("POST", key, query: [("uploads", "")], body: [])
        guard created.status == 200, let uploadID = Self.element("UploadId", in: created.body) else {
            throw store.failure(created, "POST (create multipart upload)", key)
        }
        do {
            var parts: [(number: Int, etag: String)] = []
            var offset = 0
            while offset < size {
                let number = parts.count + 1
                let bytes = try await store.staging.read(local, offset: Int64(offset), maxBytes: store.configuration.partSize)
                let response = try await store.send(
                    "PUT", key, query: [("partNumber", String(number)), ("uploadId", uploadID)], body: bytes)
                guard response.status == 200, let etag = response.headers["ETag"] else {
                    throw store.failure(response, "PUT (part \(number))", key)
                }
                parts.append((number, etag))
                offset += bytes.count
            }
            let manifest =
                "<CompleteMultipartUpload>"
                + parts.map { "<Part><PartNumber>\($0.number)</PartNumber><ETag>\(Self.escape($0.etag))</ETag></Part>" }
                .joined()
                + "</CompleteMultipartUpload>"
            let completed = try await store.send(
                "POST", key, query: [("uploadId", uploadID)], headers: [("content-type", "application/xml")],
                body: Array(manifest.utf8))
            // S3 may answer 200 and put the error in the body.
            guard completed.status == 200, Self.element("Code", in: completed.body) == nil else {
                throw store.failure(
                    HTTPClientResponse(status: completed.status == 200 ? 500 : completed.status, body: completed.body),
                    "POST (complete multipart upload)", key)
            }
        } catch {
            _ = try? await store.send("DELETE", key, query: [("uploadId", uploadID)])
            throw error
        }
    }

    static func element(_ name: String, in body: [UInt8]) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        guard let open = text.range(of: "<\(name)>"),
            let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
