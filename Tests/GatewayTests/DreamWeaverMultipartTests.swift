import Images
import BlobStore
import Foundation
import Gateway
import NIOCore
import Testing

/// `MultipartUpload` fed the way a socket feeds it: in chunks of any size, split anywhere,
/// including inside a boundary.
@Suite("Multipart streaming upload")
struct DreamWeaverMultipartTests {
    struct Chunks: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let bytes: [UInt8]
        let size: Int

        struct AsyncIterator: AsyncIteratorProtocol {
            var remaining: ArraySlice<UInt8>
            let size: Int
            mutating func next() async -> ByteBuffer? {
                guard !remaining.isEmpty else { return nil }
                let chunk = remaining.prefix(size)
                remaining = remaining.dropFirst(size)
                return ByteBuffer(bytes: chunk)
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(remaining: bytes[...], size: size) }
    }

    static func withStore(_ body: (FileBlobStore) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vj-multipart-\(UUID().uuidString)")
        let store = try FileBlobStore(root: root)
        defer { try? FileManager.default.removeItem(at: root) }
        try await body(store)
    }

    static func staged(_ store: FileBlobStore) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: store.stagingDirectory.path).count
    }

    /// Bytes full of CR, LF and dashes, so that partial boundary matches happen inside the file.
    static let trickyFile: [UInt8] = (0..<5_000).map { i in [0x0D, 0x0A, 0x2D, 0x2D, UInt8(i & 0xFF)][i % 5] }

    @Test("fields and a file arrive whole whatever the chunk size", arguments: [1, 3, 7, 64, 1_000, 1 << 20])
    func chunked(size: Int) async throws {
        try await Self.withStore { store async throws in
            var body = MultipartBody()
            body.field("room_type", "kitchen")
            body.file("image", filename: "r\u{e9}sum\u{e9}.png", Self.trickyFile)
            body.field("style", "mid-century\r\nmodern")
            let reader = MultipartUpload(blobs: store, fileFields: ["image"], limits: .init(maxFileBytes: 10_000))
            let form = try await reader.read(Chunks(bytes: Array(body.buffer.readableBytesView), size: size), boundary: body.boundary)
            #expect(form.fields == ["room_type": "kitchen", "style": "mid-century\r\nmodern"])
            let file = try #require(form.files["image"])
            #expect(file.byteCount == Self.trickyFile.count)
            #expect(file.filename == "r\u{e9}sum\u{e9}.png")
            #expect(file.contentType == "image/png")
            #expect(try await file.upload.stagedBytes() == Self.trickyFile)
            await form.discard()
            #expect(try Self.staged(store) == 0)
        }
    }

    @Test("a file past the limit stops the read with 413 and discards what was staged")
    func tooLarge() async throws {
        try await Self.withStore { store async throws in
            var body = MultipartBody()
            body.file("image", Self.trickyFile)
            let reader = MultipartUpload(blobs: store, fileFields: ["image"], limits: .init(maxFileBytes: 4_096))
            await #expect {
                _ = try await reader.read(Chunks(bytes: Array(body.buffer.readableBytesView), size: 512), boundary: body.boundary)
            } throws: { error in
                let error = error as? GatewayError
                return error?.status == .contentTooLarge && error?.details["limit_bytes"] == "4096"
                    && error?.details["field"] == "image"
            }
            #expect(try Self.staged(store) == 0)
        }
    }

    @Test("a body cut short, or garbage, is 400 malformed_multipart and discards what was staged")
    func truncated() async throws {
        try await Self.withStore { store async throws in
            var body = MultipartBody()
            body.file("image", Self.trickyFile)
            let whole = Array(body.buffer.readableBytesView)
            let reader = MultipartUpload(blobs: store, fileFields: ["image"], limits: .init(maxFileBytes: 100_000))
            for bad in [Array(whole.prefix(whole.count - 10)), Array(whole.prefix(3_000)), Array("no boundary here".utf8)] {
                await #expect {
                    _ = try await reader.read(Chunks(bytes: bad, size: 100), boundary: body.boundary)
                } throws: { ($0 as? GatewayError)?.code == .malformedMultipart }
                #expect(try Self.staged(store) == 0)
            }
        }
    }

    @Test("text fields are bounded, and a part without a name is malformed")
    func fieldLimits() async throws {
        try await Self.withStore { store async throws in
            let reader = MultipartUpload(
                blobs: store, fileFields: ["image"], limits: .init(maxFileBytes: 100, maxFieldBytes: 10))
            var long = MultipartBody()
            long.field("style", String(repeating: "x", count: 11))
            await #expect {
                _ = try await reader.read(Chunks(bytes: Array(long.buffer.readableBytesView), size: 4), boundary: long.boundary)
            } throws: { ($0 as? GatewayError)?.details["field"] == "style" && ($0 as? GatewayError)?.status == .contentTooLarge }

            let boundary = "b0undary"
            let nameless = Array("--\(boundary)\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--\(boundary)--\r\n".utf8)
            await #expect {
                _ = try await reader.read(Chunks(bytes: nameless, size: 8), boundary: boundary)
            } throws: { ($0 as? GatewayError)?.code == .malformedMultipart }
        }
    }

    @Test("the boundary comes from the content type: quoted or not; other media types are 415")
    func boundaries() throws {
        #expect(try MultipartUpload.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(try MultipartUpload.boundary(contentType: #"Multipart/Form-Data; charset=utf-8; boundary="a b;c""#) == "a b;c")
        #expect { try MultipartUpload.boundary(contentType: "application/json") } throws: {
            ($0 as? GatewayError)?.status == .unsupportedMediaType
        }
        #expect { try MultipartUpload.boundary(contentType: nil) } throws: {
            ($0 as? GatewayError)?.status == .unsupportedMediaType
        }
        #expect { try MultipartUpload.boundary(contentType: "multipart/form-data") } throws: {
            ($0 as? GatewayError)?.code == .malformedMultipart
        }
        #expect { try MultipartUpload.boundary(contentType: "multipart/form-data; boundary=\(String(repeating: "x", count: 71))") } throws: {
            ($0 as? GatewayError)?.code == .malformedMultipart
        }
    }
}
