import Foundation
import Testing
import TestSupport
@testable import Hydration

@Suite("Store maintenance: gc, verify, local sources")
struct StoreMaintenanceTests {
    @Test("gc removes only blobs no manifest or live snapshot references, and stale partial files")
    func garbageCollection() async throws {
        let fixture = try HydrationFixture()
        defer { fixture.cleanUp() }
        let kept = HydrationFixture.safetensors(payload: 500, seed: 7)
        let dropped = HydrationFixture.safetensors(payload: 600, seed: 8)
        try Data(kept).write(to: URL(fileURLWithPath: fixture.directory + "/kept.safetensors"))
        try Data(dropped).write(to: URL(fileURLWithPath: fixture.directory + "/dropped.safetensors"))
        let keptEntry = HydrationFixture.entry(
            name: "kept", source: "file://../kept.safetensors", bytes: kept, destination: "checkpoints/kept.safetensors")
        let droppedEntry = HydrationFixture.entry(
            name: "dropped", kind: "lora", source: "file://../dropped.safetensors", bytes: dropped,
            destination: "loras/dropped.safetensors")
        try fixture.writeManifest("media", [keptEntry, droppedEntry])
        try fixture.writeManifest("llm", [keptEntry])
        try await Hydrator.withHydrator(fixture.configuration()) { hydrator in
            _ = try await hydrator.hydrate(mode: "media")
            _ = try await hydrator.hydrate(mode: "llm")
        }
        // The media manifest drops a model, the store gets an orphan and a stale partial file.
        try fixture.writeManifest("media", [keptEntry])
        let orphan = String(repeating: "0f", count: 32)
        let blobs = fixture.root + "/blobs/sha256/"
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: blobs + orphan))
        try Data([4]).write(to: URL(fileURLWithPath: blobs + String(repeating: "1e", count: 32) + ".incomplete"))

        let report = try await Hydrator.withHydrator(fixture.configuration()) { try await $0.collectGarbage() }
        // `dropped` is still linked from the live media snapshot: kept until media is hydrated again.
        #expect(report.removedBlobs == [orphan])
        #expect(report.removedIncomplete == [String(repeating: "1e", count: 32) + ".incomplete"])
        #expect(fixture.files(under: fixture.root + "/blobs/sha256").sorted() == [HydrationFixture.sha256(kept), HydrationFixture.sha256(dropped)].sorted())

        _ = try await Hydrator.withHydrator(fixture.configuration()) { try await $0.hydrate(mode: "media") }
        var configuration = fixture.configuration()
        configuration.keepPreviousSnapshots = 0
        let second = try await Hydrator.withHydrator(configuration) { try await $0.collectGarbage() }
        #expect(second.removedBlobs == [HydrationFixture.sha256(dropped)])
        #expect(fixture.files(under: fixture.root + "/blobs/sha256") == [HydrationFixture.sha256(kept)])
        let linked = fixture.root + "/snapshots/media/checkpoints/kept.safetensors"
        #expect(FileManager.default.contents(atPath: linked).map { [UInt8]($0) } == kept)
    }

    @Test("--verify detects a tampered blob and fetches it again; verify alone reports it")
    func verifyDetectsTampering() async throws {
        let fixture = try HydrationFixture()
        defer { fixture.cleanUp() }
        let model = HydrationFixture.safetensors(payload: 2000, seed: 9)
        try Data(model).write(to: URL(fileURLWithPath: fixture.directory + "/model.safetensors"))
        try fixture.writeManifest(
            "media",
            [HydrationFixture.entry(name: "model", source: "file://../model.safetensors", bytes: model, destination: "checkpoints/model.safetensors")])
        _ = try await Hydrator.withHydrator(fixture.configuration()) { try await $0.hydrate(mode: "media") }
        let blob = fixture.root + "/blobs/sha256/" + HydrationFixture.sha256(model)
        var tampered = model
        tampered[tampered.count - 1] ^= 0x01
        try Data(tampered).write(to: URL(fileURLWithPath: blob))

        let healthy = try await Hydrator.withHydrator(fixture.configuration()) { try await $0.verify(mode: "media") }
        #expect(!healthy.isHealthy)
        #expect(healthy.mismatched.count == 1 && healthy.mismatched[0].hasPrefix("model:"))

        // Without --verify the size matches and nothing is noticed; with it, the blob is replaced.
        let plain = try await Hydrator.withHydrator(fixture.configuration()) { try await $0.hydrate(mode: "media") }
        #expect(plain.repairedModels.isEmpty)
        var configuration = fixture.configuration()
        configuration.verify = true
        let report = try await Hydrator.withHydrator(configuration) { try await $0.hydrate(mode: "media") }
        #expect(report.repairedModels == ["model"])
        #expect(report.models.map(\.state) == [.repaired])
        #expect(FileManager.default.contents(atPath: blob).map { [UInt8]($0) } == model)
        let after = try await Hydrator.withHydrator(fixture.configuration()) { try await $0.verify(mode: "media") }
        #expect(after.isHealthy)
    }

    @Test("the dev manifests hydrate from committed fixtures, one blob per digest across modes")
    func devManifests() async throws {
        let fixture = try HydrationFixture()
        defer { fixture.cleanUp() }
        var configuration = fixture.configuration()
        configuration = HydrationConfiguration(root: fixture.root, manifestDirectory: RepositoryPaths.root + "/hydration/dev", environment: [:])
        let reports = try await Hydrator.withHydrator(configuration) { hydrator in
            [try await hydrator.hydrate(mode: "media"), try await hydrator.hydrate(mode: "llm"), try await hydrator.hydrate(mode: "split")]
        }
        #expect(reports[2].fetchedBytes == 0)
        let llmPath = try #require(reports[1].llmModelPath)
        #expect(llmPath == fixture.root + "/snapshots/llm/llm/velocity-dev-llm")
        let written = try String(contentsOfFile: fixture.root + "/snapshots/llm/llm-model-path", encoding: .utf8)
        #expect(written == llmPath + "\n")
        #expect(FileManager.default.fileExists(atPath: llmPath + "/config.json"))
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/snapshots/split/checkpoints/dreamweaver_staging_xl.safetensors"))
        #expect(fixture.files(under: fixture.root + "/blobs/sha256").count == 5)
    }
}
