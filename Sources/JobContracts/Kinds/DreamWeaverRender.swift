/// `dream_weaver.render`: restage a room photo in a style through the Dream Weaver workflow on
/// one GPU's ComfyUI.
///
/// The photo travels as a blob key, never as bytes; the worker writes its render to
/// `output_blob` and completes the job with `{"output_blob", "width", "height"}`.
public enum DreamWeaverRender: JobContract {
    public static let kind = JobKind(name: "dream_weaver.render", queue: "media")

    public struct Payload: Codable, Sendable, Equatable {
        /// The uploaded photo as the gateway checked it.
        public struct Image: Codable, Sendable, Equatable {
            /// `png`, `jpeg` or `webp`.
            public var format: String
            public var width: Int
            public var height: Int
            public var bytes: Int

            public init(format: String, width: Int, height: Int, bytes: Int) {
                self.format = format
                self.width = width
                self.height = height
                self.bytes = bytes
            }
        }

        public var input_blob: String
        public var room_type: String
        public var style: String
        /// Null when the client sent none: the worker picks one.
        public var seed: UInt32?
        public var image: Image
        public var output_blob: String
        /// The workflow (a manifest's name) that renders it; nil for `DreamWeaverRender.defaultWorkflow`.
        public var workflow: String?

        public init(
            input_blob: String, room_type: String, style: String, seed: UInt32?, image: Image, output_blob: String,
            workflow: String? = nil
        ) {
            self.input_blob = input_blob
            self.room_type = room_type
            self.style = style
            self.seed = seed
            self.image = image
            self.output_blob = output_blob
            self.workflow = workflow
        }

        enum CodingKeys: String, CodingKey {
            case input_blob, room_type, style, seed, image, output_blob, workflow
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(input_blob, forKey: .input_blob)
            try container.encode(room_type, forKey: .room_type)
            try container.encode(style, forKey: .style)
            // Always present, null when absent, so the payload has one shape.
            try container.encode(seed, forKey: .seed)
            try container.encode(image, forKey: .image)
            try container.encode(output_blob, forKey: .output_blob)
            // Only when chosen: a payload of the default workflow keeps the shape it always had.
            try container.encodeIfPresent(workflow, forKey: .workflow)
        }

        /// The workflow that renders it.
        public var workflowName: String { workflow ?? DreamWeaverRender.defaultWorkflow }

        /// The file extension ComfyUI's LoadImage expects for the format.
        public var fileExtension: String {
            switch image.format {
            case "jpeg": "jpg"
            default: image.format
            }
        }
    }

    public struct Result: Codable, Sendable, Equatable {
        public var output_blob: String
        public var width: Int
        public var height: Int

        public init(output_blob: String, width: Int, height: Int) {
            self.output_blob = output_blob
            self.width = width
            self.height = height
        }
    }

    public static let imageFormats = ["png", "jpeg", "webp"]

    /// The workflow of a render that names none: the shipped `workflows/dream_weaver.manifest.json`.
    public static let defaultWorkflow = "dream_weaver"

    /// The job's affinity (`JobSubmission.affinity`): the workflow it needs, so a GPU lane
    /// whose ComfyUI holds that workflow's models can take it ahead of others.
    public static func affinity(workflow: String) -> String { "workflow:" + workflow }

    public static func affinity(of payload: Payload) -> String? { affinity(workflow: payload.workflowName) }

    /// A workflow name: 1-64 of `[a-z0-9_]`, as manifests are named.
    public static func isWorkflowName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    public static func validate(_ payload: Payload) throws(PayloadError) {
        func refuse(_ field: String, _ reason: String) -> PayloadError { PayloadError(kind: kind.name, field: field, reason) }
        guard !payload.input_blob.isEmpty else { throw refuse("input_blob", "is empty") }
        guard !payload.output_blob.isEmpty else { throw refuse("output_blob", "is empty") }
        guard imageFormats.contains(payload.image.format) else {
            throw refuse("image.format", "\(payload.image.format) is not png, jpeg or webp")
        }
        guard !payload.room_type.isEmpty else { throw refuse("room_type", "is empty") }
        guard !payload.style.isEmpty else { throw refuse("style", "is empty") }
        if let workflow = payload.workflow, !isWorkflowName(workflow) {
            throw refuse("workflow", "must be 1-64 of [a-z0-9_] (a workflow manifest's name)")
        }
    }

    /// Where the gateway stages job `jobID`'s photo.
    public static func inputBlob(jobID: String, fileExtension: String) -> String {
        "dream-weaver/\(jobID)/input.\(fileExtension)"
    }

    /// Where the worker writes job `jobID`'s render.
    public static func outputBlob(jobID: String) -> String { "dream-weaver/\(jobID)/output.png" }
}
