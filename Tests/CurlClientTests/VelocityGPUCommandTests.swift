import Foundation
import Testing

/// `velocity gpu drain|undrain` against `FakeGateway`'s box routes.
@Suite("velocity gpu drain / undrain")
struct VelocityGPUCommandTests {
    @Test("drain sends the reason to the named box's GPU; undrain finds the only box itself")
    func drainAndUndrain() async throws {
        try await VelocityCommandLineTests.withGateway { gateway in
            let drained = try await VelocityCommandLineTests.velocity(
                ["gpu", "drain", "1", "--box", "box-1", "--reason", "fan noise"], gateway: gateway)
            #expect(drained.status == 0, "\(drained.stderr)")
            #expect(drained.stderr.contains("GPU 1 of box-1 drained: fan noise"), "\(drained.stderr)")
            let undrained = try await VelocityCommandLineTests.velocity(["gpu", "undrain", "1"], gateway: gateway)
            #expect(undrained.status == 0, "\(undrained.stderr)")
            #expect(undrained.stderr.contains("GPU 1 of box-1 is back in service"), "\(undrained.stderr)")
            let refused = try await VelocityCommandLineTests.velocity(["gpu", "drain", "9", "--box", "box-1"], gateway: gateway)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("not_found"), "\(refused.stderr)")
        }
    }
}
