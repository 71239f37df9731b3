import Foundation
import Glibc
import Synchronization

/// Follows the kernel log from the moment it is opened: `/dev/kmsg` (one record per read,
/// non-blocking) or a plain file that something appends kernel lines to. Lines written before
/// the agent started are not read: an Xid from last week's boot is no news.
final class KernelLogTail: Sendable {
    let path: String
    private struct State {
        var descriptor: Int32 = -1
        var partial: [UInt8] = []
    }
    private let state = Mutex(State())

    /// Opens `path` at its end; throws when it cannot be read (no permission for /dev/kmsg).
    init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw AgentError(.invalidConfiguration, "cannot read the kernel log \(path): \(String(cString: strerror(errno)))")
        }
        lseek(descriptor, 0, SEEK_END)
        state.withLock { $0.descriptor = descriptor }
    }

    deinit {
        state.withLock { if $0.descriptor >= 0 { close($0.descriptor) } }
    }

    /// The whole lines written since the last call. Never blocks: call it off the cooperative
    /// pool anyway, it is a system call per record.
    func readLines() -> [String] {
        state.withLock { state in
            var lines: [String] = []
            var buffer = [UInt8](repeating: 0, count: 8192)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(state.descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    state.partial += buffer[..<count]
                    continue
                }
                // EPIPE: /dev/kmsg overwrote records we had not read; the next read goes on.
                if count < 0 && errno == EPIPE { continue }
                break  // 0: end of the file; EAGAIN: no new record
            }
            while let newline = state.partial.firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(String(decoding: state.partial[..<newline], as: UTF8.self))
                state.partial.removeSubrange(...newline)
            }
            return lines
        }
    }
}
