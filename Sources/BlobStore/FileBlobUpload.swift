import Foundation
import NIOPosix

/// A staged file of a `FileBlobStore`.
///
/// An actor, so its state stays consistent; callers still must not overlap calls on one
/// upload (an append in flight while another starts could interleave their bytes).
actor FileBlobUpload: BlobUpload {
    let store: FileBlobStore
    let stagingPath: String
    private let descriptor: Int32
    private var written = 0
    private var finished = false
    /// Set while a write runs on the thread pool, so a discard never closes the descriptor under it.
    private var writing = false

    init(store: FileBlobStore, stagingPath: String, descriptor: Int32) {
        self.store = store
        self.stagingPath = stagingPath
        self.descriptor = descriptor
    }

    deinit {
        // An upload dropped without commit or discard must not leak its descriptor or file.
        if !finished {
            close(descriptor)
            unlink(stagingPath)
        }
    }

    func append(_ bytes: [UInt8]) async throws {
        guard !finished else { throw BlobStoreError(.blobIO, "upload already committed or discarded") }
        guard !writing else { throw BlobStoreError(.blobIO, "appends to one upload must not overlap") }
        guard !bytes.isEmpty else { return }
        writing = true
        defer { writing = false }
        let fd = descriptor
        let store = store
        try await store.threadPool.runIfActive {
            try bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw store.ioError("cannot write staged blob")
                    }
                    offset += n
                }
            }
        }
        written += bytes.count
    }

    func byteCount() -> Int { written }

    func stagedBytes() async throws -> [UInt8] {
        guard !finished else { throw BlobStoreError(.blobIO, "upload already committed or discarded") }
        let path = stagingPath
        return try await store.threadPool.runIfActive {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw BlobStoreError(.blobIO, "staged blob vanished")
            }
            return [UInt8](data)
        }
    }

    func commit(as key: String) async throws {
        guard !finished, !writing else { throw BlobStoreError(.blobIO, "upload already committed or discarded") }
        let destination = try store.url(for: key)
        let fd = descriptor
        let path = stagingPath
        let store = store
        // Marked before the hop so a concurrent discard cannot unlink the file mid-rename; on
        // failure the upload is open again and the caller discards it.
        finished = true
        do {
            try await store.threadPool.runIfActive {
                guard fsync(fd) == 0 else { throw store.ioError("cannot fsync staged blob") }
                let directory = destination.deletingLastPathComponent()
                do {
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                } catch {
                    throw BlobStoreError(.blobIO, "cannot create \(directory.path)", cause: error)
                }
                guard rename(path, destination.path) == 0 else { throw store.ioError("cannot move blob into place") }
                close(fd)
                // The rename is durable once its directory is.
                let directoryFD = open(directory.path, O_RDONLY | O_CLOEXEC)
                if directoryFD >= 0 {
                    fsync(directoryFD)
                    close(directoryFD)
                }
            }
        } catch {
            finished = false
            throw error
        }
    }

    func discard() async {
        guard !finished else { return }
        finished = true
        let fd = descriptor
        let path = stagingPath
        _ = try? await store.runUncancellable {
            close(fd)
            unlink(path)
        }
    }
}
