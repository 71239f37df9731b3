import Foundation
import TestSupport
import Testing

@testable import Workers

#if canImport(Glibc)
    import Glibc
#endif

/// A listening socket on a kernel-chosen loopback port, closed on `close()`.
final class TestListener {
    let fd: Int32
    let port: Int

    init() throws {
        // Close-on-exec: a process another test spawns meanwhile must not inherit the listener.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.fd = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func close() { _ = Glibc.close(fd) }
}

@Suite("Loopback ports and backend log tails")
struct LoopbackPortTests {
    @Test("a port with a listener is not free and names this process as its holder; once closed it is free")
    func holder() throws {
        let listener = try TestListener()
        #expect(!LoopbackPort.isFree(listener.port))
        let name = try String(contentsOfFile: "/proc/self/comm", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(LoopbackPort.holder(of: listener.port) == "pid \(getpid()) (\(name))")
        // The first free range from the busy port starts after it.
        let range = try #require(LoopbackPort.firstFreeRange(from: listener.port, count: 3))
        #expect(range > listener.port)
        #expect((range..<(range + 3)).allSatisfy(LoopbackPort.isFree))
        listener.close()
        // Another test's process may take a port in the instant it is free: looked at for a
        // while, the port must come free and nobody must hold it.
        var free = false
        for _ in 0..<50 where !free {
            free = LoopbackPort.isFree(listener.port) && LoopbackPort.holder(of: listener.port) == nil
            if !free { usleep(40_000) }
        }
        #expect(free, "port \(listener.port) held by \(LoopbackPort.holder(of: listener.port) ?? "nobody")")
        #expect(!LoopbackPort.isFree(0) && !LoopbackPort.isFree(70_000))
    }

    @Test("velocity dev stops at once when a port the user fixed is taken, naming the port and its holder")
    func devRefusesATakenFixedPort() async throws {
        let listener = try TestListener()
        defer { listener.close() }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dev-port-\(UUID())")
        defer { try? FileManager.default.removeItem(at: scratch) }
        for option in ["--port", "--comfyui-port", "--llm-port"] {
            let outcome = try await VelocityBinary.run(
                ["dev", "--run-directory", scratch.path, option, String(listener.port)], in: root)
            #expect(outcome.status != 0)
            let name = try String(contentsOfFile: "/proc/self/comm", encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines)
            #expect(
                outcome.stderr.contains(
                    "port \(listener.port) (\(option)) is in use by pid \(getpid()) (\(name)); stop it or pick another port with \(option)"
                ),
                "\(outcome.stderr)")
            // Nothing was started: not even the run directory was made.
            #expect(!FileManager.default.fileExists(atPath: scratch.path))
        }
        // A fixed ComfyUI range that would run past the last port is refused before anything starts.
        let beyond = try await VelocityBinary.run(
            ["dev", "--run-directory", scratch.path, "--gpus", "4", "--comfyui-port", "65534"], in: root)
        #expect(beyond.status != 0)
        #expect(beyond.stderr.contains("--comfyui-port 65534 leaves no room for 4 ports below 65536"), "\(beyond.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path))
    }

    @Test("a log's tail: its last non-empty lines, long lines cut, a partial first line dropped")
    func logTail() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tail-\(UUID()).log").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(LogTail.lines(ofFileAt: path).isEmpty)
        let text =
            (1...50).map { "line \($0)" }.joined(separator: "\n")
            + "\nTraceback (most recent call last):\n\nOSError: [Errno 98] Address already in use\n\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect(
            LogTail.lines(ofFileAt: path, count: 3) == [
                "line 50", "Traceback (most recent call last):", "OSError: [Errno 98] Address already in use",
            ])
        // Read from the last 7 bytes only ("b\ncccc\n"): the cut line is left out.
        try Data("aaaa\nbbbb\ncccc\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(LogTail.lines(ofFileAt: path, maxBytes: 7) == ["cccc"])
        // Only what an incarnation wrote: from the size the log had when it started.
        #expect(LogTail.lines(ofFileAt: path, after: 5) == ["bbbb", "cccc"])
        #expect(LogTail.lines(ofFileAt: path, after: LogTail.size(ofFileAt: path)).isEmpty)
        try Data((String(repeating: "x", count: 400) + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect(LogTail.lines(ofFileAt: path) == [String(repeating: "x", count: 300) + "…"])
    }
}
