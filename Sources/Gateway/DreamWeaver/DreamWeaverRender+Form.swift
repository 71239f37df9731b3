public import Images
public import JobContracts

extension DreamWeaverRender.Payload {
    /// The payload of job `jobID` from its form and its checked photo: the photo is staged
    /// under the job's input blob, the render will be written to its output blob.
    public init(jobID: String, form: DreamWeaverForm, image: ValidatedImage) {
        self.init(
            input_blob: DreamWeaverRender.inputBlob(jobID: jobID, fileExtension: image.format.fileExtension),
            room_type: form.roomType, style: form.style, seed: form.seed,
            image: Image(format: image.format.rawValue, width: image.width, height: image.height, bytes: image.bytes),
            output_blob: DreamWeaverRender.outputBlob(jobID: jobID), workflow: form.workflow)
    }
}
