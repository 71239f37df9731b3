public import Images
/// The payload of a `dream_weaver.render` job, as the media worker reads it.
///
/// The image travels as a blob key, never as bytes; the worker writes its render to
/// `output_blob` and completes the job with `{"output_blob", "width", "height"}`.
public struct DreamWeaverPayload: Codable, Sendable, Equatable {
    public var input_blob: String
    public var room_type: String
    public var style: String
    /// Null when the client sent none: the worker picks one.
    public var seed: UInt32?
    public var image: ValidatedImage
    public var output_blob: String

    public init(jobID: String, form: DreamWeaverForm, image: ValidatedImage) {
        input_blob = Self.inputBlob(jobID: jobID, format: image.format)
        room_type = form.roomType
        style = form.style
        seed = form.seed
        self.image = image
        output_blob = Self.outputBlob(jobID: jobID)
    }

    public static func inputBlob(jobID: String, format: ImageFormat) -> String {
        "dream-weaver/\(jobID)/input.\(format.fileExtension)"
    }

    public static func outputBlob(jobID: String) -> String { "dream-weaver/\(jobID)/output.png" }

    enum CodingKeys: String, CodingKey {
        case input_blob, room_type, style, seed, image, output_blob
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(input_blob, forKey: .input_blob)
        try container.encode(room_type, forKey: .room_type)
        try container.encode(style, forKey: .style)
        // Always present, null when absent, so the worker's schema has one shape.
        try container.encode(seed, forKey: .seed)
        try container.encode(image, forKey: .image)
        try container.encode(output_blob, forKey: .output_blob)
    }
}
