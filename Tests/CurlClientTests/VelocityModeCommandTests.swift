import Foundation
import Testing

/// `velocity mode --wait` and `--advice` against `FakeGateway`'s box routes.
@Suite("velocity mode --wait, --advice")
struct VelocityModeCommandTests {
    @Test("--advice prints each box's advised mode, every mode's figures and the reasons")
    func advice() async throws {
        try await VelocityCommandLineTests.withGateway { gateway in
            let outcome = try await VelocityCommandLineTests.velocity(["mode", "--advice"], gateway: gateway)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let lines = outcome.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "box-1 (llm): switch to media", "\(outcome.stdout)")
            // 40 renders × 12 s over 4 GPUs after a 120 s switch.
            #expect(lines.contains { $0.hasPrefix("  media   4+0") && $0.contains("240 s") && $0.hasSuffix("met") })
            #expect(lines.contains { $0.hasPrefix("  llm     0+4") && $0.contains("never") && $0.hasSuffix("missed") })
            #expect(lines.contains("  - switch to media: done in 240 s against never in llm"))

            let json = try await VelocityCommandLineTests.velocity(["mode", "--advice", "--json"], gateway: gateway)
            let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
            #expect(((object?["data"] as? [[String: Any]])?.first?["recommended"]) as? String == "media")

            let unknown = try await VelocityCommandLineTests.velocity(["mode", "--advice", "--box", "box-9"], gateway: gateway)
            #expect(unknown.status != 0)
            #expect(unknown.stderr.contains("box-9"), "\(unknown.stderr)")
            for refused in [["mode", "llm", "--advice"], ["mode", "--advice", "--wait"], ["mode"]] {
                let outcome = try await VelocityCommandLineTests.velocity(refused, gateway: gateway)
                #expect(outcome.status != 0, "\(refused)")
            }
        }
    }

    @Test("prints every step with its duration, the ones shorter than its poll too, then the total")
    func stepTimings() async throws {
        try await VelocityCommandLineTests.withGateway { gateway in
            let outcome = try await VelocityCommandLineTests.velocity(["mode", "llm", "--wait"], gateway: gateway)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let lines = outcome.stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            let steps = lines.filter { $0.hasSuffix(" s") && !$0.contains("mode in") }
            #expect(
                steps.map { $0.split(separator: " ").first.map(String.init) ?? "" } == [
                    "stop_leasing", "drain", "stop_backends", "hydrate", "start_backends", "health_check", "consume",
                ], "\(outcome.stderr)")
            #expect(steps.contains { $0.hasPrefix("drain") && $0.hasSuffix("1.25 s") })
            #expect(steps.contains { $0.hasPrefix("hydrate") && $0.hasSuffix("0.00 s") })
            #expect(lines.contains("box-1 is in llm mode in 11.63 s"), "\(outcome.stderr)")
        }
    }
}
