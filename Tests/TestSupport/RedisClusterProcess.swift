public import Foundation
public import RedisClient

/// A private Redis Cluster (3 masters, 3 replicas, node timeout 1 s) on free loopback ports,
/// started by `ops/redis-cluster.sh`, for tests that kill nodes or move slots and so must not
/// share the suite's cluster. Stopped when released.
public final class RedisClusterProcess: @unchecked Sendable {
    public let ports: [Int]
    public let directory: URL

    /// `redis-cluster://` with the first three nodes as seeds.
    public var url: String { "redis-cluster://" + ports.prefix(3).map { "127.0.0.1:\($0)" }.joined(separator: ",") }

    public init() throws {
        ports = try Self.freePorts(6)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("velocity-cluster-\(UUID().uuidString)")
        try Self.script(["start", directory.path, "--ports", ports.map(String.init).joined(separator: ",")])
    }

    deinit {
        try? Self.script(["stop", directory.path])
        try? FileManager.default.removeItem(at: directory)
    }

    /// A connection to one node (for `CLUSTER` commands a test issues itself).
    public func node(_ port: Int) async throws -> RedisConnection {
        try await RedisConnection.connect(RedisConfiguration(url: "redis://127.0.0.1:\(port)"))
    }

    /// SIGKILL of one node: no shutdown, like a crash.
    public func kill(port: Int) throws {
        let pidFile = directory.appendingPathComponent("\(port)/redis.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
        else { throw TestServers.Missing(variable: "the pid of cluster node \(port)") }
        Foundation.kill(pid, SIGKILL)
        try? FileManager.default.removeItem(at: pidFile)
    }

    /// Runs ops/redis-cluster.sh and waits for it. `system(3)`, not `Process`: Foundation's
    /// `waitUntilExit` did not return once the script's daemonized nodes outlived it.
    private static func script(_ arguments: [String]) throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("velocity-cluster-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let command =
            (["/bin/bash", RepositoryPaths.root + "/ops/redis-cluster.sh"] + arguments).map(Self.quoted).joined(separator: " ")
            + " </dev/null >" + Self.quoted(log.path) + " 2>&1"
        let status = system(command)
        guard status == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestServers.Missing(
                variable: "a Redis Cluster (ops/redis-cluster.sh \(arguments[0]) exited \(status)): \(text)")
        }
    }

    private static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Ports free with their cluster bus port (port + 10,000) free too.
    private static func freePorts(_ count: Int) throws -> [Int] {
        var ports: [Int] = []
        for _ in 0..<2_000 where ports.count < count {
            let port = Int.random(in: 20_000...50_000)
            if !ports.contains(port), !RedisServerProcess.accepts(port: port), !RedisServerProcess.accepts(port: port + 10_000),
                FreePort.isFree(port), FreePort.isFree(port + 10_000)
            {
                ports.append(port)
            }
        }
        guard ports.count == count else { throw TestServers.Missing(variable: "\(count) free port pairs for a cluster") }
        return ports
    }
}
