import BlobStore
import CurlClient
import Foundation
import S3
import S3BlobStore
import TestSupport
import Testing

/// What only the S3 store has: multipart uploads, presigned URLs, S3's refusals, locations.
@Suite("S3 blob store")
struct S3BlobStoreTests {
    static func withStore(
        credentials: ((AWSCredentials) -> AWSCredentials)? = nil, _ body: (S3BlobStore, CurlHTTPClient) async throws -> Void
    ) async throws {
        let moto = try await SharedMoto.handle()
        let bucket = try await moto.makeBucket()
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("vj-s3-\(UUID().uuidString)")
        let http = CurlHTTPClient()
        var configuration = S3BlobStore.Configuration(
            bucket: bucket, prefix: "t/", credentials: credentials?(moto.credentials) ?? moto.credentials,
            stagingDirectory: staging)
        configuration.partSize = 5 * 1024 * 1024
        configuration.multipartThreshold = 5 * 1024 * 1024
        do {
            try await body(try S3BlobStore(configuration: configuration, http: http), http)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try? await http.shutdown()
        try? FileManager.default.removeItem(at: staging)
    }

    @Test("a blob over the threshold goes up in parts and reads back whole and in ranges")
    func multipart() async throws {
        try await Self.withStore { store, _ in
            let count = 12 * 1024 * 1024 + 17
            let bytes = (0..<count).map { (index: Int) -> UInt8 in UInt8(truncatingIfNeeded: index &* 7 &+ (index >> 11)) }
            let upload = try await store.beginUpload()
            for start in stride(from: 0, to: bytes.count, by: 1_000_000) {
                try await upload.append(Array(bytes[start..<min(start + 1_000_000, bytes.count)]))
            }
            try await upload.commit(as: "batches/big.jsonl")
            #expect(try await store.size("batches/big.jsonl") == bytes.count)
            #expect(try await store.read("batches/big.jsonl") == bytes)
            let tail = try await store.read("batches/big.jsonl", offset: Int64(bytes.count - 10), maxBytes: 100)
            #expect(tail == Array(bytes.suffix(10)))
        }
    }

    /// The signature itself is checked against AWS's published presigned-URL example
    /// (`SigV4SignerTests`); here the URL is fetched from moto. moto (5.2.5) cannot check a
    /// query-string signature while it enforces authentication (its IAM check reads only the
    /// Authorization header and answers 500), so this store runs on a moto of its own without.
    @Test("a presigned URL fetches the blob with no credentials at all")
    func presigned() async throws {
        let moto = try await MotoServer(unauthenticatedActions: 1_000_000)
        defer { moto.stop() }
        let credentials = AWSCredentials(accessKeyID: "AKPRESIGN", secretAccessKey: "presign", endpoint: moto.endpoint)
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("vj-s3-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: staging) }
        try await CurlHTTPClient.withClient { http in
            #expect(try await http.execute(HTTPClientRequest(method: "PUT", url: moto.endpoint + "/presign")).isSuccess)
            let store = try S3BlobStore(
                configuration: .init(bucket: "presign", prefix: "p/", credentials: credentials, stagingDirectory: staging),
                http: http)
            try await store.write(Array("staged room".utf8), as: "dream-weaver/j1/output.png")
            let url = try #require(try await store.readURL("dream-weaver/j1/output.png", expiresIn: .seconds(300)))
            #expect(url.hasPrefix(moto.endpoint + "/presign/p/dream-weaver/j1/output.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&"))
            #expect(url.contains("X-Amz-Expires=300") && url.contains("X-Amz-SignedHeaders=host&X-Amz-Signature="))
            let fetched = try await http.execute(HTTPClientRequest(url: url))
            #expect(fetched.status == 200)
            #expect(fetched.body == Array("staged room".utf8))
            await #expect(throws: BlobStoreError.self) { _ = try await store.readURL("../x", expiresIn: .seconds(1)) }
        }
    }

    @Test("a wrong secret is blob_io naming S3's SignatureDoesNotMatch; nothing is written")
    func wrongSecret() async throws {
        let moto = try await SharedMoto.handle()
        try await Self.withStore(credentials: { good in
            AWSCredentials(
                accessKeyID: good.accessKeyID, secretAccessKey: "not-the-secret", region: good.region, endpoint: good.endpoint)
        }) { store, _ in
            let error = await #expect(throws: BlobStoreError.self) { try await store.write([1, 2, 3], as: "x/y") }
            #expect(error?.code == .blobIO)
            #expect(error?.message.contains("SignatureDoesNotMatch") == true, "\(error?.message ?? "")")
            let honest = try S3BlobStore(
                configuration: .init(
                    bucket: store.configuration.bucket, prefix: "t/", credentials: moto.credentials,
                    stagingDirectory: store.configuration.stagingDirectory),
                http: CurlHTTPClient())
            #expect(try await honest.size("x/y") == nil)
        }
    }

    @Test("locations: a directory, s3://bucket/prefix; bad buckets and prefixes are refused naming the setting")
    func locations() throws {
        #expect(try BlobStoreLocation(".run/blobs") == .directory(".run/blobs"))
        #expect(try BlobStoreLocation("s3://velocity-blobs") == .s3(bucket: "velocity-blobs", prefix: ""))
        #expect(try BlobStoreLocation("s3://velocity-blobs/prod/box") == .s3(bucket: "velocity-blobs", prefix: "prod/box/"))
        for bad in ["s3://", "s3://UPPER", "s3://ab", "s3://bucket/../x", "s3://bucket/.hidden", ""] {
            #expect(throws: BlobStoreError.self, "\(bad)") { try BlobStoreLocation(bad) }
        }
    }
}
