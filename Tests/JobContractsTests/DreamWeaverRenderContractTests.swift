import JobContracts
import Testing
import VelocityTypes

/// `dream_weaver.render`'s workflow field: what it decodes to, the affinity it gives the job,
/// and the names it refuses.
@Suite("Dream Weaver render contract")
struct DreamWeaverRenderContractTests {
    static func payload(workflow: String?) -> String {
        let field = workflow.map { #","workflow":"\#($0)""# } ?? ""
        return #"""
            {"input_blob":"dream-weaver/x/input.png","room_type":"living_room","style":"warm","seed":null,
             "image":{"format":"png","width":8,"height":8,"bytes":100},"output_blob":"dream-weaver/x/output.png"\#(field)}
            """#
    }

    @Test("a render names its workflow or gets the default; its affinity is the workflow, through the registry too")
    func affinity() throws {
        let plain = try DreamWeaverRender.payload(fromJSON: Self.payload(workflow: nil))
        #expect(plain.workflow == nil)
        #expect(DreamWeaverRender.affinity(of: plain) == "workflow:dream_weaver")
        let twilight = try DreamWeaverRender.payload(fromJSON: Self.payload(workflow: "dream_weaver_twilight"))
        #expect(DreamWeaverRender.affinity(of: twilight) == "workflow:dream_weaver_twilight")
        #expect(
            try JobKindRegistry.standard.checkPayload(
                text: Self.payload(workflow: "dream_weaver_twilight"), kind: "dream_weaver.render")
                == "workflow:dream_weaver_twilight")
        // Kinds without an affinity give none.
        #expect(try JobKindRegistry.standard.checkPayload(text: "{}", kind: "cpu.task") == nil)
        // The default's payload keeps the shape it always had: no workflow key.
        #expect(!(try DreamWeaverRender.encode(plain)).contains("workflow"))
    }

    @Test(
        "a workflow name that is not 1-64 of [a-z0-9_] is refused, naming the field",
        arguments: ["", "Night Vision", "a/b", String(repeating: "w", count: 65)])
    func refused(name: String) {
        #expect {
            try DreamWeaverRender.payload(fromJSON: Self.payload(workflow: name))
        } throws: { error in
            (error as? PayloadError)?.field == "workflow"
        }
    }
}
