import Foundation
import Testing
import TestSupport
@testable import Hydration

@Suite("Manifests: validation names the bad entry; the shipped manifests agree with the workflow")
struct ManifestTests {
    static let good = """
        mode: media
        models:
          - name: base
            kind: checkpoint
            source: https://example.com/base.safetensors
            size: 10
            sha256: "\(String(repeating: "a1", count: 32))"
            destination: checkpoints/base.safetensors
          - name: llm
            kind: llm_weights
            destination: llm/model
            files:
              - {path: config.json, source: s3://bucket/llm/config.json, size: 2, sha256: "\(String(repeating: "b2", count: 32))"}
        """

    func refusal(_ replace: String, with replacement: String) -> ManifestError? {
        let text = Self.good.replacingOccurrences(of: replace, with: replacement)
        #expect(text != Self.good, "the replacement must change the manifest")
        do {
            _ = try ManifestLoader.parse(text, path: "/m/media.yaml")
            return nil
        } catch {
            return error
        }
    }

    @Test("a valid manifest parses, with llm files under the weights directory")
    func parses() throws {
        let manifest = try ManifestLoader.parse(Self.good, path: "/m/media.yaml")
        #expect(manifest.models.map(\.name) == ["base", "llm"])
        #expect(manifest.files[1].destination == "llm/model/config.json")
        #expect(manifest.files[1].source == .s3(bucket: "bucket", key: "llm/config.json"))
        #expect(manifest.llmModel?.destination == "llm/model")
        #expect(manifest.totalBytes == 12)
    }

    @Test(
        "each kind of bad entry is refused, naming file, index, name and field",
        arguments: [
            ("    size: 10\n", "", 0, "base", "size", "missing"),
            ("sha256: \"a1a1", "sha256: \"zz", 0, "base", "sha256", "hexadecimal"),
            ("kind: checkpoint", "kind: hypernetwork", 0, "base", "kind", "unknown kind hypernetwork"),
            ("https://example.com/base", "ftp://example.com/base", 0, "base", "source", "unsupported"),
            ("size: 10", "size: -5", 0, "base", "size", "negative"),
            ("checkpoints/base.safetensors", "checkpoints/../../etc/passwd", 0, "base", "destination", "escapes"),
            ("checkpoints/base.safetensors", "/abs/base.safetensors", 0, "base", "destination", "relative"),
            ("checkpoints/base.safetensors", "loras/base.safetensors", 0, "base", "destination", "checkpoints/"),
            ("name: llm", "name: base", 1, "base", "name", "duplicate name"),
            ("path: config.json", "path: ../config.json", 1, "llm", "files[0].path", "escapes"),
            ("size: 2,", "size: two,", 1, "llm", "files[0].size", "not an integer"),
        ] as [(String, String, Int, String, String, String)])
    func refusesBadEntry(_ replace: String, _ replacement: String, _ index: Int, _ name: String, _ field: String, _ reason: String) throws {
        let error = try #require(refusal(replace, with: replacement))
        #expect(error.file == "/m/media.yaml")
        #expect(error.index == index)
        #expect(error.name == name)
        #expect(error.field == field)
        #expect(error.reason.contains(reason), "\(error)")
        #expect(error.description.contains("models[\(index)]"))
    }

    @Test("a missing manifest and a mode mismatch are clear errors")
    func loadErrors() throws {
        let directory = FileManager.default.temporaryDirectory.path + "/velocity-manifest-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let missing = #expect(throws: HydrationError.self) { try ManifestLoader.load(mode: "media", directory: directory) }
        #expect(missing?.code == .invalidManifest)
        try Self.good.write(toFile: directory + "/llm.yaml", atomically: true, encoding: .utf8)
        let mismatch = #expect(throws: HydrationError.self) { try ManifestLoader.load(mode: "llm", directory: directory) }
        #expect(mismatch?.message.contains("says media, expected llm") == true)
    }

    @Test("the production and dev manifests of every mode load")
    func shippedManifestsLoad() throws {
        for directory in ["hydration", "hydration/dev"] {
            for mode in ManifestLoader.modes {
                let manifest = try ManifestLoader.load(mode: mode, directory: RepositoryPaths.root + "/" + directory)
                #expect(!manifest.models.isEmpty)
            }
        }
        let llm = try ManifestLoader.load(mode: "llm", directory: RepositoryPaths.root + "/hydration")
        #expect(llm.llmModel?.files.filter(\.isSafetensors).count == 4)
    }

    /// `workflows/dream_weaver.manifest.json` names its models as `{"folder", "name"}`.
    struct WorkflowManifest: Decodable {
        struct Model: Decodable {
            var folder: String
            var name: String
        }
        var models: [Model]
    }

    @Test("every model the Dream Weaver workflow loads is in the media and split manifests, prod and dev")
    func dreamWeaverModelsAreHydrated() throws {
        let path = RepositoryPaths.root + "/workflows/dream_weaver.manifest.json"
        let data = try #require(FileManager.default.contents(atPath: path), "missing \(path)")
        let workflow = try JSONDecoder().decode(WorkflowManifest.self, from: data)
        #expect(!workflow.models.isEmpty)
        for directory in ["hydration", "hydration/dev"] {
            for mode in ["media", "split"] {
                let manifest = try ManifestLoader.load(mode: mode, directory: RepositoryPaths.root + "/" + directory)
                let destinations = Set(manifest.files.map(\.destination))
                for model in workflow.models {
                    #expect(
                        destinations.contains(model.folder + "/" + model.name),
                        "\(directory)/\(mode).yaml lacks \(model.folder)/\(model.name)")
                }
            }
        }
    }
}
