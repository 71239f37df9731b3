import Foundation
import Testing
@testable import Hydration

@Suite("Hydrator downloads from a loopback range server")
struct HydratorDownloadTests {
    @Test("a multi-range download lands as a verified blob behind the mode's snapshot")
    func downloadsAndSnapshots() async throws {
        let fixture = try HydrationFixture()
        defer { fixture.cleanUp() }
        let model = HydrationFixture.safetensors(payload: 300_000)
        let server = RangeServer()
        server.put("model.safetensors", model)
        try await server.run { base in
            try fixture.writeManifest(
                "media",
                [
                    HydrationFixture.entry(
                        name: "staging", source: base + "/files/model.safetensors", bytes: model,
                        destination: "checkpoints/dreamweaver_staging_xl.safetensors")
                ])
            let report = try await Hydrator.withHydrator(fixture.configuration()) { try await $0.hydrate(mode: "media") }
            let linked = fixture.root + "/snapshots/media/checkpoints/dreamweaver_staging_xl.safetensors"
            #expect(FileManager.default.contents(atPath: linked).map { [UInt8]($0) } == model)
            #expect(report.fetchedBytes == Int64(model.count))
            #expect(report.models.map(\.state) == [.fetched])
            #expect(report.llmModelPath == nil)
            // Five 64 KiB ranges, each asked for once.
            let starts = server.requests.compactMap(\.rangeStart).sorted()
            #expect(starts == stride(from: 0, to: model.count, by: 65_536).map { $0 })
            let yaml = try String(contentsOfFile: report.extraModelPathsFile, encoding: .utf8)
            #expect(yaml.contains("base_path: \(fixture.root)/snapshots/media\n"))
            #expect(yaml.contains("    checkpoints: checkpoints/\n"))
            #expect(yaml.contains("    upscale_models: upscale_models/\n"))
            // Nothing partial is left behind.
            #expect(fixture.files(under: fixture.root + "/blobs/sha256") == [HydrationFixture.sha256(model)])

            // A second hydrate finds everything and fetches nothing, but still switches the snapshot.
            server.resetRequests()
            let again = try await Hydrator.withHydrator(fixture.configuration()) { try await $0.hydrate(mode: "media") }
            #expect(again.models.map(\.state) == [.present])
            #expect(again.snapshotTarget != report.snapshotTarget)
            #expect(server.requests.isEmpty)
        }
    }

    @Test("a corrupted transfer is detected by its sha256 and fetched again")
    func corruptedIsRefetched() async throws {
        let fixture = try HydrationFixture()
        defer { fixture.cleanUp() }
        let model = HydrationFixture.safetensors(payload: 200_000, seed: 2)
        let server = RangeServer()
        server.put("m.safetensors", model)
        // The first request for the middle range gets a flipped byte.
        server.setFault { _, start, previous in start == 65_536 && previous < 4 ? .corrupt : .none }
        try await server.run { base in
            try fixture.writeManifest(
                "media",
                [HydrationFixture.entry(name: "m", source: base + "/files/m.safetensors", bytes: model, destination: "checkpoints/m.safetensors")])
            var configuration = fixture.configuration()
            configuration.hashing = .afterDownload
            _ = try await Hydrator.withHydrator(configuration) { try await $0.hydrate(mode: "media") }
            let blob = fixture.root + "/blobs/sha256/" + HydrationFixture.sha256(model)
            #expect(FileManager.default.contents(atPath: blob).map { [UInt8]($0) } == model)
            // Two whole downloads: every one of the four ranges asked for twice (a range a loaded
            // machine stalls past the stall limit is asked for once more, which is not the point here).
            let asked = Dictionary(grouping: server.requests.compactMap(\.rangeStart), by: { $0 }).mapValues(\.count)
            #expect(asked.keys.sorted() == [0, 65_536, 131_072, 196_608])
            #expect(asked.values.allSatisfy { $0 >= 2 }, "\(asked)")
        }
    }

    @Test("an interrupted download resumes: the next run asks only for the ranges it lacks")
    func interruptedResumes() async throws {
        let fixture = try HydrationFixture()
        defer { fixture.cleanUp() }
        let model = HydrationFixture.safetensors(payload: 600_000, seed: 3)
        let server = RangeServer()
        server.put("big.safetensors", model)
        let broken = 4 * 65_536
        // Every try of one range is cut after 1000 bytes: the run gives up on it, the others finish.
        server.setFault { _, start, _ in start >= broken && start < broken + 65_536 ? .cut(afterBytes: 1000) : .none }
        try await server.run { base in
            try fixture.writeManifest(
                "media",
                [HydrationFixture.entry(name: "big", source: base + "/files/big.safetensors", bytes: model, destination: "checkpoints/big.safetensors")])
            var configuration = fixture.configuration()
            configuration.rangesPerFile = 1
            let error = await #expect(throws: HydrationError.self) {
                _ = try await Hydrator.withHydrator(configuration) { try await $0.hydrate(mode: "media") }
            }
            #expect(error?.code == .sourceFailed)
            #expect(error?.message.contains("-\(broken + 65_535): ") == true, "\(String(describing: error))")
            let digest = HydrationFixture.sha256(model)
            #expect(FileManager.default.fileExists(atPath: fixture.root + "/blobs/sha256/\(digest).incomplete"))
            #expect(!FileManager.default.fileExists(atPath: fixture.root + "/blobs/sha256/\(digest)"))
            #expect(!FileManager.default.fileExists(atPath: fixture.root + "/snapshots/media"))
            // One worker walks the chunks in order and stops at the broken one.
            let firstRun = server.requests.compactMap(\.rangeStart)
            // In order; a range retried after a stall on a loaded machine shows twice in a row.
            let inOrder = firstRun.enumerated().filter { $0.offset == 0 || firstRun[$0.offset - 1] != $0.element }.map(\.element)
            #expect(inOrder.prefix(4) == [0, 65_536, 131_072, 196_608], "\(firstRun)")

            server.setFault { _, _, _ in .none }
            server.resetRequests()
            configuration.rangesPerFile = 3
            let report = try await Hydrator.withHydrator(configuration) { try await $0.hydrate(mode: "media") }
            let resumed = Set(server.requests.compactMap(\.rangeStart))
            let missing = Set(stride(from: broken, to: model.count, by: 65_536))
            #expect(resumed == missing)
            #expect(report.fetchedBytes == Int64(model.count - broken))
            let blob = fixture.root + "/blobs/sha256/" + digest
            #expect(FileManager.default.contents(atPath: blob).map { [UInt8]($0) } == model)
            #expect(fixture.files(under: fixture.root + "/blobs/sha256") == [digest])
        }
    }

    @Test("a wrong sha256 is refused and nothing is left in place")
    func wrongDigestLeavesNothing() async throws {
        let fixture = try HydrationFixture()
        defer { fixture.cleanUp() }
        let model = HydrationFixture.safetensors(payload: 100_000, seed: 4)
        let server = RangeServer()
        server.put("m.safetensors", model)
        let wrong = String(repeating: "ab", count: 32)
        try await server.run { base in
            try fixture.writeManifest(
                "media",
                [HydrationFixture.entry(name: "m", source: base + "/files/m.safetensors", bytes: model, sha256: wrong, destination: "checkpoints/m.safetensors")])
            let error = await #expect(throws: HydrationError.self) {
                _ = try await Hydrator.withHydrator(fixture.configuration()) { try await $0.hydrate(mode: "media") }
            }
            #expect(error?.code == .digestMismatch)
            #expect(error?.message.contains(wrong) == true)
            #expect(error?.message.contains(HydrationFixture.sha256(model)) == true)
            #expect(fixture.files(under: fixture.root + "/blobs") == ["sha256"])
            #expect(fixture.files(under: fixture.root + "/snapshots").isEmpty)
        }
    }

    @Test("a source that is not valid safetensors is refused though its digest matches")
    func badSafetensorsRefused() async throws {
        let fixture = try HydrationFixture()
        defer { fixture.cleanUp() }
        var broken = HydrationFixture.safetensors(payload: 1000)
        broken[8] = UInt8(ascii: "[")
        let bytes = broken
        let server = RangeServer()
        server.put("bad.safetensors", bytes)
        try await server.run { base in
            try fixture.writeManifest(
                "media",
                [HydrationFixture.entry(name: "bad", source: base + "/files/bad.safetensors", bytes: bytes, destination: "checkpoints/bad.safetensors")])
            let error = await #expect(throws: HydrationError.self) {
                _ = try await Hydrator.withHydrator(fixture.configuration()) { try await $0.hydrate(mode: "media") }
            }
            #expect(error?.code == .invalidSafetensors)
            #expect(fixture.files(under: fixture.root + "/blobs") == ["sha256"])
        }
    }

    @Test("too little disk is refused before any byte is written")
    func insufficientSpace() async throws {
        let fixture = try HydrationFixture()
        defer { fixture.cleanUp() }
        let model = HydrationFixture.safetensors(payload: 100_000)
        let server = RangeServer()
        server.put("m.safetensors", model)
        try await server.run { base in
            try fixture.writeManifest(
                "media",
                [HydrationFixture.entry(name: "m", source: base + "/files/m.safetensors", bytes: model, destination: "checkpoints/m.safetensors")])
            var configuration = fixture.configuration()
            configuration.freeSpaceProbe = { _ in Int64(model.count - 1) }
            let error = await #expect(throws: HydrationError.self) {
                _ = try await Hydrator.withHydrator(configuration) { try await $0.hydrate(mode: "media") }
            }
            #expect(error?.code == .insufficientSpace)
            #expect(error?.message.contains("Nothing was written") == true)
            #expect(!FileManager.default.fileExists(atPath: fixture.root))
            #expect(server.requests.isEmpty)
        }
        // And with the real statvfs: a manifest larger than any disk here.
        try fixture.writeManifest(
            "llm",
            ["""
              - name: huge
                kind: checkpoint
                source: http://127.0.0.1:1/huge.safetensors
                size: 9000000000000000
                sha256: "\(String(repeating: "cd", count: 32))"
                destination: checkpoints/huge.safetensors
            """])
        let error = await #expect(throws: HydrationError.self) {
            _ = try await Hydrator.withHydrator(fixture.configuration()) { try await $0.hydrate(mode: "llm") }
        }
        #expect(error?.code == .insufficientSpace)
        #expect(!FileManager.default.fileExists(atPath: fixture.root))
    }

    @Test("a 404 is a clear error without retries")
    func notFound() async throws {
        let fixture = try HydrationFixture()
        defer { fixture.cleanUp() }
        let server = RangeServer()
        let bytes = HydrationFixture.safetensors(payload: 10)
        try await server.run { base in
            try fixture.writeManifest(
                "media",
                [HydrationFixture.entry(name: "gone", source: base + "/files/gone.safetensors", bytes: bytes, destination: "checkpoints/gone.safetensors")])
            let error = await #expect(throws: HydrationError.self) {
                _ = try await Hydrator.withHydrator(fixture.configuration()) { try await $0.hydrate(mode: "media") }
            }
            #expect(error?.code == .sourceFailed)
            #expect(error?.message.contains("HTTP 404") == true)
            #expect(server.requests.count == 1)
        }
    }
}
