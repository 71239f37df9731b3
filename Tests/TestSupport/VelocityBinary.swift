public import Foundation

/// The `velocity` executable built next to the tests (ops/test.sh builds it first).
public enum VelocityBinary {
    public static func path() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["VELOCITY_BIN"] { return explicit }
        // The test bundle lives in the build products directory, beside the executable.
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("velocity")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            directory.deleteLastPathComponent()
        }
        let fallback = FileManager.default.currentDirectoryPath + "/.build/debug/velocity"
        if FileManager.default.isExecutableFile(atPath: fallback) { return fallback }
        throw TestServers.Missing(variable: "VELOCITY_BIN (the velocity executable was not found; run `swift build` first)")
    }
}

extension VelocityBinary {
    /// How a run of the executable ended.
    public struct Outcome: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `velocity arguments` with `environment` added to this process's, waiting for it to
    /// exit; its output goes through files, so a full pipe never blocks it.
    public static func run(
        _ arguments: [String], environment extra: [String: String] = [:], executable: URL? = nil, in directory: URL? = nil
    ) async throws -> Outcome {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("velocity-cli-\(UUID())")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("stdout")
        let err = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = try executable ?? URL(fileURLWithPath: path())
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return Outcome(
            status: status, stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8))
    }
}
