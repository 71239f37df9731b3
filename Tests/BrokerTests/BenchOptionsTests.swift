import Foundation
import TestSupport
import Testing

/// The one option rule of the bench scripts (`bench_options` in `bench/lib/prepare.sh`): a bad
/// option stops a bench before it installs, builds or starts anything; so does a bad
/// `VELOCITY_TEST_REDIS` for ops/test.sh.
@Suite("bench script options")
struct BenchOptionsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    func run(_ bench: String, _ arguments: [String]) async throws -> VelocityBinary.Outcome {
        try await VelocityBinary.run(
            [Self.root.appendingPathComponent("bench/\(bench)/run.sh").path] + arguments,
            executable: URL(fileURLWithPath: "/bin/bash"), in: Self.root)
    }

    @Test(
        "unknown options, missing or non-positive values are refused with exit 2 and nothing started",
        arguments: [
            ("broker-curves", ["--bogus"], "unknown option: --bogus"),
            ("broker-curves", ["--runs"], "--runs needs a positive integer"),
            ("fairness", ["--workers", "0"], "--workers needs a positive integer"),
            ("fairness", ["--no-peer", "--light-batch", "x"], "--light-batch needs a positive integer"),
            ("crm-import", ["--rows", "-5"], "--rows needs a positive integer"),
            ("crm-import", ["--peer-only", "--no-build", "extra"], "unknown option: extra"),
            ("chaos", ["--faults", "0"], "--faults needs a positive integer"),
            ("chaos", ["--redis", "memcached"], "--redis must be one of single, sentinel, cluster"),
            ("chaos", ["--short", "--redis"], "--redis must be one of single, sentinel, cluster"),
            ("box-day", ["--day-seconds", "0"], "--day-seconds needs a positive integer"),
            ("box-day", ["--gpus"], "--gpus needs a positive integer"),
            ("box-day", ["--bogus"], "unknown option: --bogus"),
        ])
    func refused(_ bench: String, _ arguments: [String], _ message: String) async throws {
        let outcome = try await run(bench, arguments)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("building velocity") && !outcome.stderr.contains("creating"))
    }

    @Test(
        "velocity bench box-day refuses a policy, a box or a day it cannot run, before it connects",
        arguments: [
            (["--policy", "sometimes"], "--policy is media, llm, split or autopilot"),
            (["--gpus", "1"], "--gpus must be at least 2"),
            (["--day-seconds", "10"], "--day-seconds at least 30"),
            (["--batch-lines", "500"], "--batch-lines is two positive counts"),
            (["--batch-lines", "500,0"], "--batch-lines is two positive counts"),
        ])
    func boxDayRefusals(_ arguments: [String], _ message: String) async throws {
        let outcome = try await VelocityBinary.run(
            ["bench", "box-day", "--redis-url", "redis://127.0.0.1:1", "--postgres-url", "postgresql://x@127.0.0.1:1/x"]
                + arguments)
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
    }

    @Test("ops/test.sh refuses a VELOCITY_TEST_REDIS it does not know before it starts anything")
    func testRedisRefusal() async throws {
        let outcome = try await VelocityBinary.run(
            [Self.root.appendingPathComponent("ops/test.sh").path], environment: ["VELOCITY_TEST_REDIS": "sentinel"],
            executable: URL(fileURLWithPath: "/bin/bash"), in: Self.root)
        #expect(outcome.status == 2)
        #expect(outcome.stderr.contains("VELOCITY_TEST_REDIS must be single or cluster, not 'sentinel'"), "\(outcome.stderr)")
        #expect(!outcome.stdout.contains("Installing"), "\(outcome.stdout)")
    }

    @Test("--help prints the script's header comment")
    func help() async throws {
        let outcome = try await run("crm-import", ["--help"])
        #expect(outcome.status == 2)
        #expect(outcome.stderr.hasPrefix("bench/run crm-import [--rows N]"))
        #expect(outcome.stderr.contains("--peer-only") && !outcome.stderr.contains("set -euo pipefail"))
    }
}
