public import Foundation
public import NIOPosix

/// Blobs as files under a root directory.
///
/// Uploads stage in `<root>/.staging/` and are fsynced then renamed into place, so a reader
/// sees a whole blob or none. File I/O runs on NIO's blocking thread pool, never on Swift's
/// cooperative pool.
public struct FileBlobStore: BlobStore {
    public let root: URL
    let threadPool: NIOThreadPool

    public init(root: URL, threadPool: NIOThreadPool = .singleton) throws {
        self.root = root.standardizedFileURL
        self.threadPool = threadPool
        do {
            try FileManager.default.createDirectory(
                at: self.root.appendingPathComponent(".staging"), withIntermediateDirectories: true)
        } catch {
            throw BlobStoreError(.blobIO, "cannot create blob directory \(root.path)", cause: error)
        }
    }

    /// Where uploads wait until they are committed or discarded.
    public var stagingDirectory: URL { root.appendingPathComponent(".staging") }

    public func beginUpload() async throws -> any BlobUpload {
        let path = stagingDirectory.appendingPathComponent(UUID().uuidString).path
        let store = self
        return try await threadPool.runIfActive {
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw store.ioError("cannot create \(path)") }
            return FileBlobUpload(store: store, stagingPath: path, descriptor: fd)
        }
    }

    public func read(_ key: String) async throws -> [UInt8] {
        try await read(key, offset: 0, maxBytes: nil)
    }

    public func read(_ key: String, offset: Int64, maxBytes: Int) async throws -> [UInt8] {
        precondition(offset >= 0 && maxBytes >= 0, "a blob range starts at 0 or later and is not negative")
        return try await read(key, offset: offset, maxBytes: Optional(maxBytes))
    }

    /// Up to `maxBytes` (nil: all) of the blob from `offset`, on the thread pool.
    private func read(_ key: String, offset: Int64, maxBytes: Int?) async throws -> [UInt8] {
        let path = try url(for: key).path
        let store = self
        return try await threadPool.runIfActive {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                if errno == ENOENT || errno == ENOTDIR { throw BlobStoreError(.blobNotFound, "no blob '\(key)'") }
                throw store.ioError("cannot open \(path)")
            }
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0 else { throw store.ioError("cannot stat \(path)") }
            // A key that names a directory of other blobs is not itself a blob.
            guard info.st_mode & S_IFMT == S_IFREG else { throw BlobStoreError(.blobNotFound, "no blob '\(key)'") }
            let available = max(0, Int64(info.st_size) - offset)
            let count = maxBytes.map { min(Int64($0), available) } ?? available
            var bytes = [UInt8](repeating: 0, count: Int(count))
            var filled = 0
            try bytes.withUnsafeMutableBytes { buffer in
                while filled < buffer.count {
                    let n = pread(fd, buffer.baseAddress! + filled, buffer.count - filled, off_t(offset) + off_t(filled))
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw store.ioError("cannot read \(path)")
                    }
                    if n == 0 { break }
                    filled += n
                }
            }
            return filled == bytes.count ? bytes : Array(bytes.prefix(filled))
        }
    }

    public func size(_ key: String) async throws -> Int? {
        let path = try url(for: key).path
        return try await threadPool.runIfActive {
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
            return Int(info.st_size)
        }
    }

    public func delete(_ key: String) async throws {
        let path = try url(for: key).path
        let store = self
        // Deletes are clean-up after failures, often in a canceled request: they must run anyway.
        try await runUncancellable {
            if unlink(path) != 0 && errno != ENOENT { throw store.ioError("cannot delete \(path)") }
        }
    }

    /// The file of a key (`BlobKey`'s rule: never `..`, hidden or absolute).
    func url(for key: String) throws -> URL {
        try BlobKey.validate(key)
        return root.appendingPathComponent(key)
    }

    /// Runs blocking work on the thread pool even when the calling task is canceled (NIO's
    /// `runIfActive` skips work whose task was canceled, which would leak staged files).
    func runUncancellable<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            threadPool.submit { _ in
                // Run even when the pool is shutting down: these are quick syscalls.
                continuation.resume(with: Result(catching: body))
            }
        }
    }

    func ioError(_ message: String) -> BlobStoreError {
        BlobStoreError(.blobIO, "\(message): \(String(cString: strerror(errno)))")
    }
}
