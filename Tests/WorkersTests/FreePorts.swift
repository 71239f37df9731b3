import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Loopback TCP ports nothing listens on, for backends the agent starts at `base + i`.
///
/// Chosen below the kernel's ephemeral range: a backend may start half a minute after its port
/// was chosen (the first switch to llm mode), and a port in that range can meanwhile become the
/// port of some other test's connection or port-0 server, which left an LLM backend unable to
/// listen, start after start.
enum FreePorts {
    static func consecutive(_ count: Int) throws -> [Int] {
        let top = min(ephemeralLow, 60_000)
        for _ in 0..<200 {
            let base = Int.random(in: 20_000..<top - count)
            let ports = Array(base..<(base + count))
            if ports.allSatisfy(isFree) { return ports }
        }
        throw AgentTestFailure("no \(count) consecutive free ports")
    }

    /// The low end of `net.ipv4.ip_local_port_range` (32768 by default).
    static var ephemeralLow: Int {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let low = range.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
        return max(low, 20_000 + 1_000)
    }

    static func isFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
