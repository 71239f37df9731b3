import Foundation
import Logging
import Synchronization
import TestSupport
import Testing
@testable import Hydration

@Suite("S3 sources through SigV4 against moto's server")
struct S3HydrationTests {
    @Test("an s3:// model downloads in signed ranges; a wrong secret is a clear 403 that never shows the secret")
    func s3Download() async throws {
        let model = HydrationFixture.safetensors(payload: 250_000, seed: 11)
        let moto = try await MotoServer(unauthenticatedActions: 5)
        defer { moto.stop() }
        let key = try await moto.provision(bucket: "models", objects: ["sdxl/staging model.safetensors": model])
        let fixture = try HydrationFixture()
        defer { fixture.cleanUp() }
        try fixture.writeManifest(
            "media",
            [HydrationFixture.entry(
                name: "staging", source: "s3://models/sdxl/staging model.safetensors", bytes: model,
                destination: "checkpoints/dreamweaver_staging_xl.safetensors")])
        var configuration = fixture.configuration()
        configuration.environment = [
            "AWS_ACCESS_KEY_ID": key.id, "AWS_SECRET_ACCESS_KEY": key.secret, "AWS_REGION": "us-east-1",
            "AWS_ENDPOINT_URL": moto.endpoint,
        ]
        let report = try await Hydrator.withHydrator(configuration) { try await $0.hydrate(mode: "media") }
        #expect(report.fetchedBytes == Int64(model.count))
        let linked = fixture.root + "/snapshots/media/checkpoints/dreamweaver_staging_xl.safetensors"
        #expect(FileManager.default.contents(atPath: linked).map { [UInt8]($0) } == model)

        // The same request with a wrong secret: refused by S3, reported with its code, secret-free.
        let wrongSecret = "WRONG-" + key.secret.dropFirst(6)
        let other = try HydrationFixture()
        defer { other.cleanUp() }
        try FileManager.default.copyItem(atPath: fixture.manifests + "/media.yaml", toPath: other.manifests + "/media.yaml")
        var wrong = other.configuration()
        wrong.environment = configuration.environment
        wrong.environment["AWS_SECRET_ACCESS_KEY"] = String(wrongSecret)
        let logs = CapturedLogs()
        wrong.logger = Logger(label: "test.hydrate") { _ in logs }
        wrong.logger.logLevel = .trace
        let error = await #expect(throws: HydrationError.self) {
            _ = try await Hydrator.withHydrator(wrong) { try await $0.hydrate(mode: "media") }
        }
        #expect(error?.code == .sourceFailed)
        #expect(error?.message.contains("HTTP 403") == true, "\(String(describing: error))")
        #expect(error?.message.contains("SignatureDoesNotMatch") == true, "\(String(describing: error))")
        let everything = "\(String(describing: error))" + logs.text
        #expect(!everything.contains(wrongSecret))
        #expect(!everything.contains(key.secret))
        #expect(!FileManager.default.fileExists(atPath: other.root + "/snapshots/media"))
    }
}

