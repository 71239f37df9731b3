import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Blocking POSIX file operations. Every caller runs them on the hydrator's own
/// `NIOThreadPool`, never on Swift's cooperative pool.
enum BlockingIO {
    static func error(_ what: String, _ path: String, code: Int32 = errno) -> HydrationError {
        HydrationError(.io, "\(what) \(path): \(String(cString: strerror(code)))")
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Size of a regular file (following links), nil when absent.
    static func fileSize(_ path: String) -> Int64? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// Bytes really allocated on disk (a sparse `.incomplete` has fewer than its size).
    static func allocatedBytes(_ path: String) -> Int64 {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0 }
        return Int64(info.st_blocks) * 512
    }

    static func makeDirectories(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw HydrationError(.io, "cannot create \(path): \(error.localizedDescription)")
        }
    }

    static func openFile(_ path: String, flags: Int32, mode: mode_t = 0o644) throws -> Int32 {
        let fd = open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw error("cannot open", path) }
        return fd
    }

    static func fsyncFile(_ fd: Int32, _ path: String) throws {
        guard fsync(fd) == 0 else { throw error("cannot fsync", path) }
    }

    /// fsync of a directory makes renames and new entries in it durable.
    static func fsyncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw error("cannot open directory", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw error("cannot fsync directory", path) }
    }

    static func renameFile(_ from: String, _ to: String) throws {
        guard rename(from, to) == 0 else { throw error("cannot rename \(from) to", to) }
    }

    static func remove(_ path: String) {
        unlink(path)
    }

    /// Writes `bytes` to `path` through a temporary file renamed over it.
    static func writeAtomically(_ bytes: [UInt8], to path: String, sync: Bool) throws {
        let temporary = path + ".tmp"
        let fd = try openFile(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC)
        do {
            try writeAll(fd, bytes, at: 0, path: temporary)
            if sync { try fsyncFile(fd, temporary) }
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        try renameFile(temporary, path)
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], at offset: Int64, path: String) throws {
        try bytes.withUnsafeBytes { buffer in
            try writeAll(fd, UnsafeRawBufferPointer(buffer), at: offset, path: path)
        }
    }

    static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer, at offset: Int64, path: String) throws {
        var done = 0
        while done < buffer.count {
            let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw error("cannot write", path)
            }
            done += n
        }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    static func read(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64, path: String) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = pread(fd, buffer.baseAddress! + done, buffer.count - done, off_t(offset + Int64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw error("cannot read", path)
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    static func readFile(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    /// Free bytes for an unprivileged writer on the file system holding `path` (or its nearest
    /// existing ancestor, for a root not made yet).
    static func freeBytes(_ path: String) throws -> Int64 {
        var probe = path
        while !exists(probe) {
            let parent = (probe as NSString).deletingLastPathComponent
            if parent == probe || parent.isEmpty { break }
            probe = parent
        }
        var info = statvfs()
        guard statvfs(probe, &info) == 0 else { throw error("cannot statvfs", probe) }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }

    /// An exclusive advisory lock on `path`, held while the descriptor stays open.
    static func lockExclusive(_ path: String) throws -> Int32 {
        let fd = try openFile(path, flags: O_RDWR | O_CREAT)
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            throw HydrationError(.busy, "another velocity hydrate or gc is using this store (lock \(path))")
        }
        return fd
    }
}
