import Foundation
import FuzzTargets
import TestSupport
import Testing

/// Every committed fuzz input, replayed through its target in the ordinary suite (no sanitizer):
/// the corpus `ops/fuzz.sh` starts from, and each input a fuzz run found a crash with, kept
/// in `fuzz/regressions/<target>` once fixed. A broken property stops the process, which fails
/// the run.
@Suite("Fuzz corpus replay")
struct FuzzCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fuzz")

    static func inputs(_ folder: String, _ target: FuzzTarget) -> [URL] {
        let directory = root.appendingPathComponent(folder).appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { directory.appendingPathComponent($0) }
    }

    /// Runs an input on a thread of its own: a target that drives async code waits for it, as
    /// libFuzzer's synchronous callback must, which on the cooperative pool could starve it.
    static func run(_ target: FuzzTarget, _ bytes: [UInt8]) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                target.run(bytes)
                done.resume()
            }.start()
        }
    }

    @Test("every target has a corpus, and each of its inputs runs", arguments: FuzzTarget.allCases)
    func corpus(target: FuzzTarget) async throws {
        let files = Self.inputs("corpus", target)
        #expect(files.count >= 4, "fuzz/corpus/\(target.rawValue) has \(files.count) inputs")
        for file in files { await Self.run(target, [UInt8](try Data(contentsOf: file))) }
    }

    @Test("each input a fuzz run found a crash with runs cleanly now", arguments: FuzzTarget.allCases)
    func regressions(target: FuzzTarget) async throws {
        for file in Self.inputs("regressions", target) { await Self.run(target, [UInt8](try Data(contentsOf: file))) }
    }

    @Test(
        "ops/fuzz.sh refuses a bad time or an unknown target before it builds anything",
        arguments: [
            (["0"], "SECONDS must be a positive integer, not '0'"), (["ten"], "not 'ten'"),
            (["5", "xml"], "no target 'xml'"),
        ])
    func scriptRefusals(_ arguments: [String], _ message: String) async throws {
        let outcome = try await VelocityBinary.run(
            [RepositoryPaths.root + "/ops/fuzz.sh"] + arguments, executable: URL(fileURLWithPath: "/bin/bash"),
            in: URL(fileURLWithPath: RepositoryPaths.root))
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(!outcome.stdout.contains("building"), "\(outcome.stdout)")
    }

    @Test("ops/fuzz.sh refuses a seed that is not a number before it builds anything")
    func seedRefusal() async throws {
        let outcome = try await VelocityBinary.run(
            [RepositoryPaths.root + "/ops/fuzz.sh", "5"], environment: ["VELOCITY_FUZZ_SEED": "abc"],
            executable: URL(fileURLWithPath: "/bin/bash"), in: URL(fileURLWithPath: RepositoryPaths.root))
        #expect(outcome.status == 64)
        #expect(outcome.stderr.contains("VELOCITY_FUZZ_SEED must be a number, not 'abc'"), "\(outcome.stderr)")
        #expect(!outcome.stdout.contains("building"), "\(outcome.stdout)")
    }
}
