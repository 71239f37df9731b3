import BlobStore
import Broker
import Emulators
import Images
import JobContracts
import VelocityTypes

/// Dream Weaver renders as the gateway would have stored and queued them, for the benches that
/// drive media workers (`gpu-pool`, `box-day`).
enum BenchRenders {
    /// One input photo blob and one job per render of `workflows`: the photo's size and the
    /// render's seed (hence its time on the emulator) drawn from `random`.
    static func make(
        _ workflows: [String], imageWidth: Int, photoBytes: ClosedRange<Int>, random: inout SplitMix64,
        blobs: any BlobStore
    ) async throws -> [JobSubmission] {
        let width = imageWidth
        let height = max(8, imageWidth * 3 / 4)
        var submissions: [JobSubmission] = []
        for workflow in workflows {
            var pixels = [UInt8](repeating: 0, count: width * height * 3)
            let salt = Int(truncatingIfNeeded: random.next() & 0xFFFF)
            for index in 0..<pixels.count { pixels[index] = UInt8(truncatingIfNeeded: (index &+ salt) &* 2_654_435_761 >> 13) }
            let encoded = try PNGCodec.encode(PNGCodec.Pixels(width: width, height: height, channels: 3, bytes: pixels))
            let size = photoBytes.lowerBound + Int(random.next() % UInt64(photoBytes.count))
            let png = PNGPadding.padded(encoded, toBytes: size)
            let id = JobID.make()
            let payload = DreamWeaverRender.Payload(
                input_blob: DreamWeaverRender.inputBlob(jobID: id, fileExtension: "png"), room_type: "living_room",
                style: "warm scandinavian", seed: UInt32(truncatingIfNeeded: random.next()),
                image: .init(format: "png", width: width, height: height, bytes: png.count),
                output_blob: DreamWeaverRender.outputBlob(jobID: id),
                workflow: workflow == DreamWeaverRender.defaultWorkflow ? nil : workflow)
            try await blobs.write(png, as: payload.input_blob)
            var submission = JobSubmission(
                id: id, kind: DreamWeaverRender.kind.name, queue: "media", payload: try DreamWeaverRender.encode(payload))
            submission.affinity = DreamWeaverRender.affinity(of: payload)
            submissions.append(submission)
        }
        return submissions
    }
}
