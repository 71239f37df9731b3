import Broker
import Foundation
import Gateway
import Images
import JobContracts
import Testing

@testable import Workers

/// The shipped workflow and manifest, the prompt built from them, and every refusal of a bad
/// manifest naming its entry.
@Suite("Dream Weaver workflow")
struct DreamWeaverWorkflowTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let manifestPath = root.appendingPathComponent("workflows/dream_weaver.manifest.json").path
    static let workflowPath = root.appendingPathComponent("workflows/dream_weaver.json").path

    func shipped() throws -> (manifest: [String: Any], workflow: [String: Any]) {
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.manifestPath)))
        let workflow = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.workflowPath)))
        return (manifest as! [String: Any], workflow as! [String: Any])
    }

    func load(_ manifest: [String: Any], _ workflow: [String: Any]) throws -> DreamWeaverWorkflow {
        try DreamWeaverWorkflow(
            manifestJSON: Array(try JSONSerialization.data(withJSONObject: manifest)),
            workflowJSON: Array(try JSONSerialization.data(withJSONObject: workflow)))
    }

    /// Loading with one change must fail naming `entry`, with `fragment` in the message.
    func refuses(
        _ entry: String, _ fragment: String, manifest change: (inout [String: Any]) -> Void = { _ in },
        workflow changeWorkflow: (inout [String: Any]) -> Void = { _ in }, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var (manifest, workflow) = try shipped()
        change(&manifest)
        changeWorkflow(&workflow)
        do {
            _ = try load(manifest, workflow)
            Issue.record("accepted a manifest that should fail at \(entry)", sourceLocation: sourceLocation)
        } catch let error as WorkflowError {
            #expect(error.code == .workflowInvalid, sourceLocation: sourceLocation)
            #expect(error.entry == entry, "\(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(fragment), "\(error)", sourceLocation: sourceLocation)
        }
    }

    static func setParameter(_ name: String, _ key: String, _ value: Any) -> (inout [String: Any]) -> Void {
        { manifest in
            var parameters = manifest["parameters"] as! [String: Any]
            var parameter = parameters[name] as! [String: Any]
            parameter[key] = value
            parameters[name] = parameter
            manifest["parameters"] = parameters
        }
    }

    static func setInput(_ node: String, _ input: String, _ value: Any) -> (inout [String: Any]) -> Void {
        { workflow in
            var entry = workflow[node] as! [String: Any]
            var inputs = entry["inputs"] as! [String: Any]
            inputs[input] = value
            entry["inputs"] = inputs
            workflow[node] = entry
        }
    }

    @Test("the shipped files load from disk and list the staging checkpoint")
    func shippedLoads() async throws {
        let workflow = try await DreamWeaverWorkflow.load(manifestAt: Self.manifestPath)
        #expect(workflow.models.map(\.name) == ["dreamweaver_staging_xl.safetensors"])
        #expect(workflow.models.map(\.folder) == ["checkpoints"])
        #expect(workflow.graph["1"]?["class_type"]?.stringValue == "CheckpointLoaderSimple")
        #expect(workflow.graph["9"]?["class_type"]?.stringValue == "SaveImage")
        let denoise = try #require(workflow.graph["7"]?["inputs"]?["denoise"]?.doubleValue)
        #expect(denoise > 0 && denoise < 1)
    }

    @Test("a job's prompt sets image, prompts, seed and filename prefix, and nothing else")
    func promptInjection() async throws {
        let workflow = try await DreamWeaverWorkflow.load(manifestAt: Self.manifestPath)
        let payload = try DreamWeaverRender.payload(
            fromJSON: """
                {"input_blob": "dream-weaver/j/input.png", "room_type": "living_room", "style": "warm scandinavian",
                 "seed": 42, "image": {"format": "png", "width": 10, "height": 8, "bytes": 100},
                 "output_blob": "dream-weaver/j/output.png"}
                """)
        let prompt = workflow.prompt(
            for: payload, image: ComfyUIFileRef(filename: "w-0.png", subfolder: "velocity", type: "input"), seed: 42,
            filenamePrefix: "velocity/job")
        #expect(prompt["2"]?["inputs"]?["image"] == .string("velocity/w-0.png"))
        let positive = try #require(prompt["5"]?["inputs"]?["text"]?.stringValue)
        #expect(positive.contains("living room"))
        #expect(positive.contains("warm scandinavian"))
        #expect(!positive.contains("{"))
        #expect(prompt["6"]?["inputs"]?["text"]?.stringValue == workflow.manifest.negative_prompt)
        #expect(prompt["7"]?["inputs"]?["seed"] == .int(42))
        #expect(prompt["9"]?["inputs"]?["filename_prefix"] == .string("velocity/job"))
        // Everything else is as loaded.
        #expect(prompt["7"]?["inputs"]?["denoise"] == workflow.graph["7"]?["inputs"]?["denoise"])
        #expect(prompt["4"] == workflow.graph["4"])
        #expect(prompt["1"] == workflow.graph["1"])
    }

    @Test("without a client seed, the seed is derived from the job id: the same for every attempt")
    func derivedSeed() throws {
        let payload = try DreamWeaverRender.payload(
            fromJSON: """
                {"input_blob": "a", "room_type": "kitchen", "style": "x", "seed": null,
                 "image": {"format": "jpeg", "width": 1, "height": 1, "bytes": 1}, "output_blob": "b"}
                """)
        let a = DreamWeaverWorkflow.seed(for: payload, jobID: "0190a5c2-7b1e-7c3d-8e4f-5a6b7c8d9e0f")
        #expect(a == DreamWeaverWorkflow.seed(for: payload, jobID: "0190a5c2-7b1e-7c3d-8e4f-5a6b7c8d9e0f"))
        #expect(a != DreamWeaverWorkflow.seed(for: payload, jobID: "0190a5c2-7b1e-7c3d-8e4f-5a6b7c8d9e10"))
        #expect(a <= UInt64(UInt32.max))
        #expect(payload.fileExtension == "jpg")
    }

    @Test("unknown room types read with spaces")
    func roomWords() async throws {
        let workflow = try await DreamWeaverWorkflow.load(manifestAt: Self.manifestPath)
        #expect(workflow.positivePrompt(roomType: "wine_cellar", style: "rustic").contains("wine cellar"))
        #expect(workflow.positivePrompt(roomType: "office", style: "rustic").contains("home office"))
    }

    @Test("a manifest's name is what jobs choose it by: the file's name when it gives none; a bad one is refused")
    func names() async throws {
        #expect(try await DreamWeaverWorkflow.load(manifestAt: Self.manifestPath).name == "dream_weaver")
        try refuses("name", "must be 1-64 of [a-z0-9_]") { $0["name"] = "Dream Weaver" }
    }

    @Test("a catalog needs a workflow, and one name each; a job without a workflow gets the first")
    func catalog() async throws {
        let staging = try await DreamWeaverWorkflow.load(manifestAt: Self.manifestPath)
        #expect(throws: WorkflowError.self) { try WorkflowCatalog([]) }
        #expect { try WorkflowCatalog([staging, staging]) } throws: { error in
            (error as? WorkflowError)?.message.contains("two workflows are named 'dream_weaver'") == true
        }
        let files = try shipped()
        var manifest = files.manifest
        manifest["name"] = "second"
        let catalog = try WorkflowCatalog([staging, try load(manifest, files.workflow)])
        #expect(catalog.defaultWorkflow.name == "dream_weaver")
        #expect(catalog.ordered.map(\.name) == ["dream_weaver", "second"])
        #expect(
            catalog.affinities(holding: ["checkpoints/dreamweaver_staging_xl.safetensors"])
                == ["workflow:dream_weaver", "workflow:second"])
        #expect(catalog.affinities(holding: []).isEmpty)
    }

    @Test("refused: a parameter on a node that does not exist")
    func unknownNode() throws {
        try refuses("parameters.seed", "node \"77\" is not in the workflow", manifest: Self.setParameter("seed", "node", "77"))
    }

    @Test("refused: a parameter naming an input its node does not have")
    func unknownInput() throws {
        try refuses("parameters.seed", "has no input \"sed\"", manifest: Self.setParameter("seed", "input", "sed"))
    }

    @Test("refused: an unknown parameter type")
    func unknownType() throws {
        try refuses("parameters.seed", "type \"float\"", manifest: Self.setParameter("seed", "type", "float"))
    }

    @Test("refused: a parameter whose input holds another type, or a link")
    func typeMismatch() throws {
        try refuses(
            "parameters.seed", "holds a string", manifest: Self.setParameter("seed", "type", "integer"),
            workflow: Self.setInput("7", "seed", "zero"))
        try refuses("parameters.positive_prompt", "holds a link", manifest: Self.setParameter("positive_prompt", "input", "clip"))
    }

    @Test("refused: a required parameter missing")
    func missingRequired() throws {
        for name in ["image", "filename_prefix"] {
            try refuses("parameters.\(name)", "is required") { manifest in
                var parameters = manifest["parameters"] as! [String: Any]
                parameters[name] = nil
                manifest["parameters"] = parameters
            }
        }
    }

    @Test("refused: a manifest field missing or of the wrong type")
    func manifestShape() throws {
        try refuses("prompt_template", "is required") { $0["prompt_template"] = nil }
        try refuses("models", "should be") { $0["models"] = "dreamweaver_staging_xl.safetensors" }
        try refuses("parameters.seed.node", "is required") { manifest in
            var parameters = manifest["parameters"] as! [String: Any]
            parameters["seed"] = ["input": "seed", "type": "integer"]
            manifest["parameters"] = parameters
        }
    }

    @Test("refused: no models for a workflow that loads one, a model no node loads, a loaded model not listed, a bad entry")
    func models() throws {
        try refuses("models", "does not list dreamweaver_staging_xl.safetensors, which workflow.1.inputs.ckpt_name loads") {
            $0["models"] = [[String: Any]]()
        }
        try refuses("models[1]", "other.safetensors is not loaded by any node") { manifest in
            manifest["models"] = [
                ["folder": "checkpoints", "name": "dreamweaver_staging_xl.safetensors"],
                ["folder": "loras", "name": "other.safetensors"],
            ]
        }
        try refuses(
            "models", "does not list sd_xl_base_1.0.safetensors",
            workflow: Self.setInput("1", "ckpt_name", "sd_xl_base_1.0.safetensors"))
        try refuses("models[0]", "is not a relative file name") { manifest in
            manifest["models"] = [["folder": "checkpoints", "name": "../dreamweaver_staging_xl.safetensors"]]
        }
        try refuses("models[0]", "folder") { manifest in
            manifest["models"] = [["folder": "", "name": "dreamweaver_staging_xl.safetensors"]]
        }
    }

    @Test("refused: an output node that is missing, or a filename prefix elsewhere")
    func outputNode() throws {
        try refuses("output_node", "node \"99\" is not in the workflow") { $0["output_node"] = "99" }
        try refuses("parameters.filename_prefix", "must be an input of the output node") { $0["output_node"] = "8" }
    }

    @Test("refused: a template without {style}, with an unknown placeholder, or unclosed")
    func template() throws {
        try refuses("prompt_template", "must use {style}") { $0["prompt_template"] = "a {room}" }
        try refuses("prompt_template", "unknown placeholder {colour}") { $0["prompt_template"] = "a {room} {style} {colour}" }
        try refuses("prompt_template", "without a closing") { $0["prompt_template"] = "a {room} {style" }
    }

    @Test("refused: a denoise of 1 (that is text-to-image, not staging)")
    func denoise() throws {
        try refuses("parameters.denoise", "below 1", workflow: Self.setInput("7", "denoise", 1.0))
    }

    @Test("refused: a node without class_type, a link to a missing node, a workflow that is not an object")
    func graphShape() throws {
        try refuses("workflow.4", "has no class_type") { _ in
        } workflow: { workflow in
            var node = workflow["4"] as! [String: Any]
            node["class_type"] = nil
            workflow["4"] = node
        }
        try refuses("workflow.4.inputs.vae", "links to node 42", workflow: Self.setInput("4", "vae", ["42", 2]))
        #expect(throws: WorkflowError.self) {
            _ = try DreamWeaverWorkflow(
                manifestJSON: Array(try Data(contentsOf: URL(fileURLWithPath: Self.manifestPath))),
                workflowJSON: Array("[1, 2]".utf8))
        }
    }

    @Test("an unreadable manifest path is workflow_unreadable")
    func unreadable() async throws {
        do {
            _ = try await DreamWeaverWorkflow.load(manifestAt: "/nonexistent/dream_weaver.manifest.json")
            Issue.record("loaded a missing file")
        } catch let error as WorkflowError {
            #expect(error.code == .workflowUnreadable)
        }
    }
}
