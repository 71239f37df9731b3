import Foundation
import Testing

@testable import Workers

/// What a media worker believes its GPU holds: workflows' model sets, least recently used out.
@Suite("Loaded models")
struct LoadedModelsTests {
    func workflow(_ name: String, checkpoint: String) throws -> DreamWeaverWorkflow {
        let manifest = """
            {"name": "\(name)", "workflow": "w.json", "output_node": "9", "prompt_template": "{room} {style}",
             "models": [{"folder": "checkpoints", "name": "\(checkpoint)"}],
             "parameters": {"image": {"node": "2", "input": "image", "type": "image"},
                            "filename_prefix": {"node": "9", "input": "filename_prefix", "type": "string"}}}
            """
        let graph = """
            {"1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "\(checkpoint)"}},
             "2": {"class_type": "LoadImage", "inputs": {"image": "example.png"}},
             "9": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "x"}}}
            """
        return try DreamWeaverWorkflow(manifestJSON: Array(manifest.utf8), workflowJSON: Array(graph.utf8))
    }

    @Test("one slot holds the last workflow's models; two hold the last two; clear forgets all")
    func slots() throws {
        let a = try workflow("a", checkpoint: "a.safetensors")
        let b = try workflow("b", checkpoint: "b.safetensors")
        let c = try workflow("c", checkpoint: "c.safetensors")
        let one = LoadedModels(capacity: 1)
        one.use(a)
        one.use(b)
        #expect(one.held == ["checkpoints/b.safetensors"])
        let two = LoadedModels(capacity: 2)
        for workflow in [a, b, a, c] { two.use(workflow) }
        // a was used again after b, so b went first.
        #expect(two.held == ["checkpoints/a.safetensors", "checkpoints/c.safetensors"])
        two.clear()
        #expect(two.held.isEmpty)
        #expect(LoadedModels(capacity: 0).capacity == 1)
    }
}
