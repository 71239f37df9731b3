import BlobStore
import CurlClient
import Foundation
import Gateway
import S3BlobStore
import Testing
import TestSupport

/// A store under test, with what the suite needs to look behind the protocol.
struct BlobStoreUnderTest: Sendable {
    let store: any BlobStore
    /// Files waiting in the store's staging area (for stores that stage on disk).
    let stagedFileCount: @Sendable () throws -> Int
    let tearDown: @Sendable () async -> Void
}

/// Makes a fresh, empty store for one test.
struct BlobStoreFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable () async throws -> BlobStoreUnderTest
    var testDescription: String { name }

    static let file = BlobStoreFactory(name: "FileBlobStore") {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vj-blob-conformance-\(UUID().uuidString)")
        let store = try FileBlobStore(root: root)
        return BlobStoreUnderTest(
            store: store,
            stagedFileCount: { try FileManager.default.contentsOfDirectory(atPath: store.stagingDirectory.path).count },
            tearDown: { try? FileManager.default.removeItem(at: root) })
    }

    /// An S3 store on a bucket of its own in the test process's moto server, signing every
    /// request (moto checks the signatures).
    static let s3 = BlobStoreFactory(name: "S3BlobStore (moto)") {
        let moto = try await SharedMoto.handle()
        let bucket = try await moto.makeBucket()
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("vj-s3-staging-\(UUID().uuidString)")
        let http = CurlHTTPClient()
        var configuration = S3BlobStore.Configuration(
            bucket: bucket, prefix: "conformance/", credentials: moto.credentials, stagingDirectory: staging)
        // Small parts, so the multipart path runs in the suite without huge blobs.
        configuration.partSize = 5 * 1024 * 1024
        configuration.multipartThreshold = 5 * 1024 * 1024
        let store = try S3BlobStore(configuration: configuration, http: http)
        return BlobStoreUnderTest(
            store: store,
            stagedFileCount: {
                ["/.staging", "/outgoing"].reduce(0) { count, sub in
                    count + ((try? FileManager.default.contentsOfDirectory(atPath: staging.path + sub).count) ?? 0)
                }
            },
            tearDown: {
                try? await http.shutdown()
                try? FileManager.default.removeItem(at: staging)
            })
    }

    static let all: [BlobStoreFactory] = [.file, .s3]
}

/// What every `BlobStore` must do; each test runs once per store in `BlobStoreFactory.all`.
@Suite("Blob store conformance")
struct BlobStoreConformanceTests {
    static func with(_ factory: BlobStoreFactory, _ body: (BlobStoreUnderTest) async throws -> Void) async throws {
        let subject = try await factory.make()
        do {
            try await body(subject)
        } catch {
            await subject.tearDown()
            throw error
        }
        await subject.tearDown()
    }

    static func code(_ body: () async throws -> Void) async -> String? {
        do {
            try await body()
            return nil
        } catch {
            return (error as? BlobStoreError)?.code.rawValue ?? "not a BlobStoreError: \(error)"
        }
    }

    @Test("write, read, size, delete", arguments: BlobStoreFactory.all)
    func roundTrip(_ factory: BlobStoreFactory) async throws {
        try await Self.with(factory) { subject in
            let store = subject.store
            let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try await store.write(bytes, as: "renders/job-1/output.png")
            #expect(try await store.read("renders/job-1/output.png") == bytes)
            #expect(try await store.size("renders/job-1/output.png") == bytes.count)
            try await store.write([], as: "empty")
            #expect(try await store.read("empty") == [])
            #expect(try await store.size("empty") == 0)
            try await store.delete("renders/job-1/output.png")
            #expect(try await store.size("renders/job-1/output.png") == nil)
            #expect(await Self.code { _ = try await store.read("renders/job-1/output.png") } == "blob_not_found")
            // Deleting what is not there is fine.
            try await store.delete("renders/job-1/output.png")
            #expect(try subject.stagedFileCount() == 0)
        }
    }

    @Test("ranged reads return the bytes asked for, fewer at the end, none past it", arguments: BlobStoreFactory.all)
    func rangedRead(_ factory: BlobStoreFactory) async throws {
        try await Self.with(factory) { subject in
            let store = subject.store
            let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
            try await store.write(bytes, as: "imports/big.csv")
            #expect(try await store.read("imports/big.csv", offset: 0, maxBytes: 100) == Array(bytes[0..<100]))
            #expect(try await store.read("imports/big.csv", offset: 9_990, maxBytes: 100) == Array(bytes[9_990...]))
            #expect(try await store.read("imports/big.csv", offset: 10_000, maxBytes: 100) == [])
            #expect(try await store.read("imports/big.csv", offset: 20_000, maxBytes: 100) == [])
            var reassembled: [UInt8] = []
            var offset: Int64 = 0
            while true {
                let piece = try await store.read("imports/big.csv", offset: offset, maxBytes: 999)
                if piece.isEmpty { break }
                reassembled += piece
                offset += Int64(piece.count)
            }
            #expect(reassembled == bytes)
            #expect(
                await Self.code { _ = try await store.read("no/such.csv", offset: 0, maxBytes: 1) } == "blob_not_found")
        }
    }

    @Test("staged bytes are invisible until commit, then appear whole", arguments: BlobStoreFactory.all)
    func staging(_ factory: BlobStoreFactory) async throws {
        try await Self.with(factory) { subject in
            let store = subject.store
            let upload = try await store.beginUpload()
            try await upload.append(Array("hello, ".utf8))
            try await upload.append(Array("world".utf8))
            #expect(await upload.byteCount() == 12)
            #expect(try await upload.stagedBytes() == Array("hello, world".utf8))
            #expect(try await store.size("greeting.txt") == nil)
            #expect(await Self.code { _ = try await store.read("greeting.txt") } == "blob_not_found")
            try await upload.commit(as: "greeting.txt")
            #expect(try await store.read("greeting.txt") == Array("hello, world".utf8))
            #expect(try subject.stagedFileCount() == 0)
            // A committed upload is finished: no more appends, a second commit fails, discard is a no-op.
            #expect(await Self.code { try await upload.append([1]) } != nil)
            #expect(await Self.code { try await upload.commit(as: "again.txt") } != nil)
            await upload.discard()
            #expect(try await store.read("greeting.txt") == Array("hello, world".utf8))
            #expect(try await store.size("again.txt") == nil)
        }
    }

    @Test("discard leaves nothing, in the store or its staging area", arguments: BlobStoreFactory.all)
    func discard(_ factory: BlobStoreFactory) async throws {
        try await Self.with(factory) { subject in
            let store = subject.store
            let upload = try await store.beginUpload()
            try await upload.append([UInt8](repeating: 7, count: 70_000))
            #expect(try subject.stagedFileCount() == 1)
            await upload.discard()
            await upload.discard()
            #expect(try subject.stagedFileCount() == 0)
            #expect(await Self.code { try await upload.commit(as: "late") } != nil)
            #expect(try await store.size("late") == nil)
        }
    }

    @Test("a commit replaces the blob under the same key", arguments: BlobStoreFactory.all)
    func overwrite(_ factory: BlobStoreFactory) async throws {
        try await Self.with(factory) { subject in
            let store = subject.store
            try await store.write([UInt8](repeating: 1, count: 5_000), as: "a/b")
            try await store.write([2, 3], as: "a/b")
            #expect(try await store.read("a/b") == [2, 3])
            #expect(try await store.size("a/b") == 2)
        }
    }

    @Test(
        "invalid keys are refused by every operation",
        arguments: BlobStoreFactory.all,
        ["../x", "a/../../x", "/etc/passwd", "", ".hidden", "a/.staging/x", "a//b", "a/", "sp ace", "..", "."])
    func invalidKeys(_ factory: BlobStoreFactory, key: String) async throws {
        try await Self.with(factory) { subject in
            let store = subject.store
            #expect(await Self.code { try await store.write([1], as: key) } == "blob_invalid_key")
            #expect(await Self.code { _ = try await store.read(key) } == "blob_invalid_key")
            #expect(await Self.code { _ = try await store.size(key) } == "blob_invalid_key")
            #expect(await Self.code { try await store.delete(key) } == "blob_invalid_key")
            // The refused write left nothing staged.
            let staged = try subject.stagedFileCount()
            #expect(staged == 0)
        }
    }

    @Test("a missing key reads as blob_not_found and has no size", arguments: BlobStoreFactory.all)
    func missing(_ factory: BlobStoreFactory) async throws {
        try await Self.with(factory) { subject in
            let store = subject.store
            #expect(await Self.code { _ = try await store.read("no/such/blob") } == "blob_not_found")
            #expect(try await store.size("no/such/blob") == nil)
            // A key that is a prefix of other blobs is not itself a blob.
            try await store.write([1], as: "dir/inner")
            #expect(await Self.code { _ = try await store.read("dir") } == "blob_not_found")
            #expect(try await store.size("dir") == nil)
        }
    }
}
