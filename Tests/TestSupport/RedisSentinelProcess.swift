public import Foundation

/// A master, its replica and one Redis Sentinel watching them (quorum 1, down after 1 s), each on
/// a free loopback port, for tests that fail the master over. Stopped when released.
public final class RedisSentinelProcess: @unchecked Sendable {
    public let master: RedisServerProcess
    public let replica: RedisServerProcess
    public let port: Int
    public let masterName = "vjmaster"
    private let directory: URL
    private var process: Process?

    /// `redis-sentinel://127.0.0.1:<sentinel>/vjmaster`.
    public var url: String { "redis-sentinel://127.0.0.1:\(port)/\(masterName)" }

    public init() throws {
        master = try RedisServerProcess()
        replica = try RedisServerProcess(arguments: ["--replicaof", "127.0.0.1", String(master.port)])
        port = try FreePort.find()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("velocity-sentinel-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("sentinel.conf")
        try """
        port \(port)
        bind 127.0.0.1
        dir \(directory.path)
        logfile \(directory.appendingPathComponent("sentinel.log").path)
        sentinel monitor \(masterName) 127.0.0.1 \(master.port) 1
        sentinel down-after-milliseconds \(masterName) 1000
        sentinel failover-timeout \(masterName) 5000
        sentinel parallel-syncs \(masterName) 1
        """.write(to: config, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = try RedisServerProcess.executable()
        process.arguments = [config.path, "--sentinel"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        for _ in 0..<200 {
            if RedisServerProcess.accepts(port: port) { return }
            usleep(25_000)
        }
        throw TestServers.Missing(variable: "redis-sentinel on port \(port) did not start")
    }

    deinit {
        if let process {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
