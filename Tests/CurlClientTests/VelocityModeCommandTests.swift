import Foundation
import Testing

/// `velocity mode --wait` against `FakeGateway`'s box routes.
@Suite("velocity mode --wait")
struct VelocityModeCommandTests {
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
