/// Where large bytes live: uploads, rendered images, batch files. Never Redis.
///
/// A driver seam: `FileBlobStore` keeps blobs in a directory (one machine, or a shared volume);
/// `S3BlobStore` in an S3-compatible bucket (the gateway and a GPU box on machines of their
/// own). Every implementation passes `BlobStoreConformanceTests`.
///
/// Keys follow `BlobKey`'s rule; any other key is refused with `.blobInvalidKey` by every
/// operation.
///
/// Writes are staged: nothing is visible under a key until `BlobUpload.commit(as:)`, so a
/// refused or interrupted upload leaves nothing behind.
public protocol BlobStore: Sendable {
    /// Starts a staged upload.
    func beginUpload() async throws -> any BlobUpload

    /// The whole blob; throws `BlobStoreError` `.blobNotFound` for an unknown key.
    func read(_ key: String) async throws -> [UInt8]

    /// Up to `maxBytes` bytes of the blob from `offset` (fewer at its end, none past it), so a
    /// large blob is read in pieces rather than whole; `.blobNotFound` for an unknown key.
    func read(_ key: String, offset: Int64, maxBytes: Int) async throws -> [UInt8]

    /// The blob's size in bytes, or nil when there is no such blob.
    func size(_ key: String) async throws -> Int?

    /// Removes a blob; removing an absent one is not an error.
    func delete(_ key: String) async throws

    /// A URL anyone may `GET` the blob from, without credentials, for `expiresIn`; nil when the
    /// store cannot hand one out (a directory), and the bytes then pass through the gateway.
    func readURL(_ key: String, expiresIn: Duration) async throws -> String?
}

extension BlobStore {
    public func readURL(_ key: String, expiresIn: Duration) async throws -> String? { nil }
}

extension BlobStore {
    /// Stores `bytes` under `key` in one go.
    public func write(_ bytes: [UInt8], as key: String) async throws {
        let upload = try await beginUpload()
        do {
            try await upload.append(bytes)
            try await upload.commit(as: key)
        } catch {
            await upload.discard()
            throw error
        }
    }
}

/// Bytes on their way into a `BlobStore`.
public protocol BlobUpload: Sendable {
    /// Appends bytes to the staged blob.
    func append(_ bytes: [UInt8]) async throws
    /// Bytes appended so far.
    func byteCount() async -> Int
    /// Everything staged so far, for validation before commit.
    func stagedBytes() async throws -> [UInt8]
    /// Makes the blob durable and visible under `key`, replacing any blob there.
    func commit(as key: String) async throws
    /// Drops the staged bytes; safe to call after a commit (it then does nothing).
    func discard() async
}
