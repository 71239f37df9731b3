import Crypto
import VelocityTypes

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SHA-256 of files and file regions, read in large blocks. Blocking: call on a pool thread.
enum FileHasher {
    static let blockSize = 4 << 20

    /// Hex SHA-256 of the whole file at `path`, and its size.
    static func hash(path: String) throws -> (sha256: String, size: Int64) {
        let fd = try BlockingIO.openFile(path, flags: O_RDONLY)
        defer { close(fd) }
        var hasher = SHA256()
        var offset: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 4096)
        defer { buffer.deallocate() }
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL)
        while true {
            let n = try BlockingIO.read(fd, into: buffer, at: offset, path: path)
            if n == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            offset += Int64(n)
        }
        return (Hex.lowercase(hasher.finalize()), offset)
    }
}
