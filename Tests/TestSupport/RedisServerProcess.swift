public import Foundation

/// A private redis-server on a free loopback port, for tests that restart, flush or
/// misconfigure Redis and so must not share the suite's server.
public final class RedisServerProcess: @unchecked Sendable {
    public let port: Int
    public let directory: URL
    private let extraArguments: [String]
    private var process: Process?

    public var url: String { "redis://127.0.0.1:\(port)" }

    public init(arguments: [String] = []) throws {
        self.port = try FreePort.find()
        self.extraArguments = arguments
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("velocity-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try start()
    }

    /// Starts (again) on the same port and directory; with AOF on, data survives a restart.
    public func start() throws {
        let process = Process()
        process.executableURL = try Self.executable()
        process.arguments =
            [
                "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--dir", directory.path,
                "--daemonize", "no", "--logfile", directory.appendingPathComponent("redis.log").path,
            ] + extraArguments
        try process.run()
        self.process = process
        // Wait until it accepts connections (bounded: a broken server fails the test).
        for _ in 0..<200 {
            if Self.accepts(port: port) { return }
            usleep(25_000)
        }
        throw TestServers.Missing(variable: "redis-server on port \(port) did not start")
    }

    /// SIGKILL: no shutdown save, like a crash.
    public func kill() {
        guard let process else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    static func executable() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"] {
            let candidate = URL(fileURLWithPath: String(dir)).appendingPathComponent("redis-server")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw TestServers.Missing(variable: "redis-server (install it with ops/install-deps.sh)")
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

/// A loopback port nobody listens on right now.
public enum FreePort {
    public static func find() throws -> Int {
        guard let port = bind(0) else { throw TestServers.Missing(variable: "a free port") }
        return port
    }

    /// True when `port` can be bound on loopback now.
    public static func isFree(_ port: Int) -> Bool { bind(port) != nil }

    /// Binds `port` (0: any) on loopback and lets it go; the port bound, nil when taken.
    private static func bind(_ port: Int) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { return nil }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
