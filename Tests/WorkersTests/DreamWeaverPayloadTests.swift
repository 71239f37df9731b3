import Foundation
import Gateway
import Images
import Testing
import Workers

/// The worker reads exactly what the gateway writes.
@Suite("Dream Weaver payload")
struct DreamWeaverPayloadTests {
    @Test("the gateway's payload, encoded, decodes into the worker's, with and without a seed")
    func roundTrip() throws {
        let jobID = "0190a5c2-7b1e-7c3d-8e4f-5a6b7c8d9e0f"
        for seed in [UInt32(7), nil] {
            let gateway = DreamWeaverPayload(
                jobID: jobID, form: DreamWeaverForm(roomType: "dining_room", style: "mid-century \"modern\"", seed: seed),
                image: ValidatedImage(format: .jpeg, width: 640, height: 480, bytes: 12_345))
            let text = String(decoding: try JSONEncoder().encode(gateway), as: UTF8.self)
            let worker = try DreamWeaverJobPayload.decode(text)
            #expect(worker.input_blob == gateway.input_blob)
            #expect(worker.output_blob == gateway.output_blob)
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
        func refused(_ text: String, _ fragment: String) {
            do {
                _ = try DreamWeaverJobPayload.decode(text)
                Issue.record("accepted \(text)")
            } catch let error as JobError {
                #expect(error.code == "invalid_payload")
                #expect(!error.retriable)
                #expect(error.message.contains(fragment), "\(error)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        let image = #""image": {"format": "png", "width": 1, "height": 1, "bytes": 1}"#
        refused("{}", "is missing")
        refused("not json", "not a JSON object")
        refused(#"{"input_blob": "", "room_type": "bedroom", "style": "x", "seed": null, \#(image), "output_blob": "o"}"#, "input_blob")
        refused(#"{"input_blob": "i", "room_type": "bedroom", "style": "x", "seed": "7", \#(image), "output_blob": "o"}"#, "seed")
        refused(
            #"{"input_blob": "i", "room_type": "bedroom", "style": "x", "seed": null, "image": {"format": "gif", "width": 1, "height": 1, "bytes": 1}, "output_blob": "o"}"#,
            "gif")
        refused(#"{"input_blob": "i", "room_type": "bedroom", "style": "x", "seed": null, \#(image)}"#, "output_blob")
    }
}
