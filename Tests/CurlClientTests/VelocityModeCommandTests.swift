import Foundation
import Testing

/// `velocity mode --wait`, `--advice` and `--autopilot` against `FakeGateway`'s box routes.
@Suite("velocity mode --wait, --advice, --autopilot")
struct VelocityModeCommandTests {
    @Test("--advice prints each box's advised mode, every mode's figures and the reasons")
    func advice() async throws {
        try await VelocityCommandLineTests.withGateway { gateway in
            let outcome = try await VelocityCommandLineTests.velocity(["mode", "--advice"], gateway: gateway)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            let lines = outcome.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first == "box-1 (llm): switch to media", "\(outcome.stdout)")
            // 40 renders × 12 s over 4 GPUs after a 120 s switch.
            #expect(
                lines.contains { $0.hasPrefix("  media   4+0") && $0.contains("240 s") && $0.hasSuffix("met      none open") })
            #expect(
                lines.contains { $0.hasPrefix("  llm     0+4") && $0.contains("never") && $0.hasSuffix("missed   none open") })
            #expect(lines.contains("  - switch to media: it meets the interactive targets where llm does not (done in 240 s)"))

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

    @Test("--autopilot on|off sets the box's autopilot with its hysteresis; bad combinations are refused before any request")
    func autopilot() async throws {
        try await VelocityCommandLineTests.withGateway { gateway in
            let on = try await VelocityCommandLineTests.velocity(
                ["mode", "--autopilot", "on", "--min-dwell", "900", "--confirm", "10"], gateway: gateway)
            #expect(on.status == 0, "\(on.stderr)")
            #expect(on.stderr.contains("box-1: autopilot on (dwell 900 s, gain 120 s, confirm 10 s)"), "\(on.stderr)")
            let off = try await VelocityCommandLineTests.velocity(
                ["mode", "--autopilot", "off", "--box", "box-1"], gateway: gateway)
            #expect(off.status == 0, "\(off.stderr)")
            #expect(off.stderr.contains("box-1: autopilot off; only operators switch its mode"), "\(off.stderr)")
            let unknown = try await VelocityCommandLineTests.velocity(
                ["mode", "--autopilot", "on", "--box", "box-9"], gateway: gateway)
            #expect(unknown.status != 0 && unknown.stderr.contains("box-9"), "\(unknown.stderr)")
            for (refused, message) in [
                (["mode", "--autopilot", "maybe"], "--autopilot must be on or off"),
                (["mode", "llm", "--autopilot", "on"], "--autopilot takes no mode"),
                (["mode", "--autopilot", "on", "--advice"], "--autopilot takes no mode"),
                (["mode", "--autopilot", "off", "--min-dwell", "5"], "go with --autopilot on"),
                (["mode", "llm", "--min-gain", "5"], "go with --autopilot on"),
                (["mode", "--autopilot", "on", "--min-dwell=-1"], "--min-dwell must be from 0 to 86400 seconds"),
                (["mode", "--autopilot", "on", "--confirm", "4000"], "--confirm must be from 0 to 3600 seconds"),
            ] {
                let outcome = try await VelocityCommandLineTests.velocity(refused, gateway: gateway)
                #expect(outcome.status != 0, "\(refused)")
                #expect(outcome.stderr.contains(message), "\(refused): \(outcome.stderr)")
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
