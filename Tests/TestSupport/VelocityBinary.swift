import Foundation

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
