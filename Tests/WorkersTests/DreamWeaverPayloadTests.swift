import Foundation
import Gateway
import Images
import JobContracts
import Testing
import Workers

/// The worker reads exactly what the gateway writes: one contract, `DreamWeaverRender`.
@Suite("Dream Weaver payload")
struct DreamWeaverPayloadTests {
    @Test("the gateway's payload, encoded, decodes into the worker's, with and without a seed")
    func roundTrip() throws {
        let jobID = "0190a5c2-7b1e-7c3d-8e4f-5a6b7c8d9e0f"
        for seed in [UInt32(7), nil] {
            let gateway = DreamWeaverRender.Payload(
                jobID: jobID, form: DreamWeaverForm(roomType: "dining_room", style: "mid-century \"modern\"", seed: seed),
                image: ValidatedImage(format: .jpeg, width: 640, height: 480, bytes: 12_345))
            let text = try DreamWeaverRender.encode(gateway)
            #expect(text.contains(#""seed":"#), "the seed is always present, null when absent")
            let worker = try DreamWeaverRender.payload(fromJSON: text)
            #expect(worker == gateway)
            #expect(worker.input_blob == "dream-weaver/\(jobID)/input.jpg")
            #expect(worker.output_blob == "dream-weaver/\(jobID)/output.png")
            #expect(worker.room_type == "dining_room")
            #expect(worker.style == "mid-century \"modern\"")
            #expect(worker.seed == seed)
            #expect(worker.image.format == "jpeg")
            #expect(worker.image.width == 640 && worker.image.height == 480 && worker.image.bytes == 12_345)
            #expect(worker.fileExtension == "jpg")
        }
    }

    @Test("a payload that is not the Dream Weaver shape is refused, non-retriable, naming the field")
    func refusals() {
        func refused(_ text: String, field: String?, _ fragment: String) {
            do {
                _ = try DreamWeaverRender.payload(fromJSON: text)
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.code == "invalid_payload")
                #expect(!error.retriable)
                #expect(error.kind == "dream_weaver.render")
                #expect(error.field == field, "\(error)")
                #expect(error.message.contains(fragment), "\(error)")
            }
        }
        let image = #""image": {"format": "png", "width": 1, "height": 1, "bytes": 1}"#
        refused("{}", field: "input_blob", "payload.input_blob: is required")
        refused("not json", field: nil, "payload: is not JSON")
        refused(#"[1]"#, field: nil, "must be a JSON object")
        refused(#"{"input_blob": "", "room_type": "bedroom", "style": "x", "seed": null, \#(image), "output_blob": "o"}"#, field: "input_blob", "is empty")
        refused(#"{"input_blob": "i", "room_type": "bedroom", "style": "x", "seed": "7", \#(image), "output_blob": "o"}"#, field: "seed", "must be an integer")
        refused(
            #"{"input_blob": "i", "room_type": "bedroom", "style": "x", "seed": null, "image": {"format": "gif", "width": 1, "height": 1, "bytes": 1}, "output_blob": "o"}"#,
            field: "image.format", "gif")
        refused(
            #"{"input_blob": "i", "room_type": "bedroom", "style": "x", "seed": null, "image": {"format": "png", "width": "1", "height": 1, "bytes": 1}, "output_blob": "o"}"#,
            field: "image.width", "must be an integer")
        refused(#"{"input_blob": "i", "room_type": "bedroom", "style": "x", "seed": 4294967296, \#(image), "output_blob": "o"}"#, field: "seed", "does not fit")
        refused(#"{"input_blob": "i", "room_type": "bedroom", "style": "x", "seed": null, \#(image)}"#, field: "output_blob", "is required")
    }
}
