import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Whether a loopback TCP port is free, who holds it when it is not, and free ranges: so
/// `velocity dev` starts its emulated backends on ports nothing else listens on, and says who
/// is in the way of a port the user fixed.
public enum LoopbackPort {
    /// Whether a server could listen on `127.0.0.1:port` now (bound with `SO_REUSEADDR`, as
    /// servers bind, so a socket lingering in TIME_WAIT does not count).
    public static func isFree(_ port: Int) -> Bool {
        guard (1...65_535).contains(port) else { return false }
        // Close-on-exec: a backend spawned meanwhile must not inherit the probe and hold the port.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return bound == 0
    }

    /// The first `count` consecutive free ports from `start` on (the agent numbers ComfyUI
    /// ports from a base, one per GPU); nil when none is found below `limit`.
    public static func firstFreeRange(from start: Int, count: Int, limit: Int = 65_535) -> Int? {
        var base = start
        while base + count - 1 <= limit {
            if let busy = (base..<(base + count)).first(where: { !isFree($0) }) {
                base = busy + 1
            } else {
                return base
            }
        }
        return nil
    }

    /// Who listens on `port`, as "pid 1234 (python3)", from `/proc/net/tcp{,6}` and the
    /// processes' descriptors; "a process of another user" when this user cannot see it; nil
    /// when no listener is found.
    public static func holder(of port: Int) -> String? {
        // The kernel writes its socket tables a page at a time: on a machine where sockets come
        // and go, one read can skip a line. A port that is busy is looked up again.
        for attempt in 1...3 {
            if let holder = holderOnce(of: port) { return holder }
            if attempt < 3 { usleep(20_000) }
        }
        return nil
    }

    private static func holderOnce(of port: Int) -> String? {
        var inodes: Set<String> = []
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            // procfs reports a size of 0: read to the end, not to the size (a busy machine's table
            // runs past one page).
            guard let handle = FileHandle(forReadingAtPath: table) else { continue }
            let text = String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
            try? handle.close()
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; the inode is field 9.
                guard fields.count > 9, fields[3] == "0A", let colon = fields[1].lastIndex(of: ":"),
                    Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port
                else { continue }
                inodes.insert(String(fields[9]))
            }
        }
        guard !inodes.isEmpty else { return nil }
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.filter { Int($0) != nil } ?? []
        for pid in processes {
            guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else {
                continue
            }
            for descriptor in descriptors {
                guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(descriptor)"),
                    target.hasPrefix("socket:["), inodes.contains(String(target.dropFirst(8).dropLast()))
                else { continue }
                let name =
                    (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
                return "pid \(pid) (\(name))"
            }
        }
        return "a process of another user"
    }
}
