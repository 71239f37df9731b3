import Foundation
import TestSupport
import Testing

/// Refusals of the broker-facing commands, before anything connects: a worker's `--limits`
/// file, its `--journal`, and the drain bench's options.
@Suite("velocity worker --limits and bench drain refusals")
struct CommandRefusalTests {
    /// A file of `text` in a fresh directory; the path.
    func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("limits-\(UUID()).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func refused(_ arguments: [String], saying message: String) async throws {
        // Nothing listens on port 1: a command that got past its checks would fail differently.
        let outcome = try await VelocityBinary.run(
            arguments + ["--redis-url", "redis://127.0.0.1:1"], environment: ["VELOCITY_POSTGRES_URL": ""])
        #expect(outcome.status != 0, "\(arguments)")
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("127.0.0.1:1"), "\(outcome.stderr)")
    }

    @Test("a limits file that is missing, not a mapping, or holds a rule the broker refuses stops the worker before it starts")
    func workerLimits() async throws {
        try await refused(
            ["worker", "--queue", "cpu", "--limits", "/nonexistent/limits.yaml"],
            saying: "cannot read limits file /nonexistent/limits.yaml")
        let list = try file("- caps\n- rates\n")
        try await refused(["worker", "--queue", "cpu", "--limits", list], saying: "\(list) is not a mapping")
        let badSubject = try file("caps:\n  region:eu: 2\n")
        try await refused(
            ["worker", "--queue", "cpu", "--limits", badSubject], saying: "\(badSubject): caps.region:eu: must be 'queue'")
        let badRate = try file("rates:\n  kind:cpu.task: {count: 0, interval_ms: 1000}\n")
        try await refused(
            ["worker", "--queue", "cpu", "--limits", badRate],
            saying: "\(badRate): rates.kind:cpu.task.count: must be in 1...100000")
    }

    @Test("a journal the worker cannot append to stops it before it connects")
    func workerJournal() async throws {
        try await refused(
            ["worker", "--queue", "cpu", "--journal", "/nonexistent/attempts.jsonl"],
            saying: "cannot append to the journal /nonexistent/attempts.jsonl")
        let directory = FileManager.default.temporaryDirectory.path
        try await refused(
            ["worker", "--queue", "cpu", "--journal", directory], saying: "cannot append to the journal \(directory)")
    }

    @Test("bench drain refuses a phase it does not know and sizes that are not positive")
    func drainBench() async throws {
        try await refused(["bench", "drain", "flush"], saying: "enqueue")
        try await refused(["bench", "drain", "enqueue", "--jobs", "0"], saying: "must be positive")
        try await refused(["bench", "drain", "work", "--claim-batch", "0"], saying: "must be positive")
    }
}
