/// A workflow's manifest (`workflows/<name>.manifest.json`): what a worker may inject into the
/// API-format graph, the prompt template, and the model files the graph needs (read by model
/// hydration too, so its `models` shape is shared: `[{"folder", "name"}]`).
public struct WorkflowManifest: Decodable, Sendable, Equatable {
    /// One injectable input: which node, which of its inputs, and the value's type.
    public struct Parameter: Decodable, Sendable, Equatable {
        public var node: String
        public var input: String
        /// `image` (an uploaded file name), `string`, `integer` or `number`.
        public var type: String
    }

    public struct Model: Decodable, Sendable, Equatable {
        /// ComfyUI's model folder: `checkpoints`, `loras`, `vae`, …
        public var folder: String
        public var name: String
    }

    /// The workflow's name, which jobs choose it by (`DreamWeaverRender.Payload.workflow`);
    /// absent, the manifest's file name without `.manifest.json`.
    public var name: String?
    /// The graph's file, relative to the manifest.
    public var workflow: String
    /// The node whose saved images are the job's result.
    public var output_node: String
    /// The positive prompt; `{room}` and `{style}` are replaced (unused without a
    /// `positive_prompt` parameter).
    public var prompt_template: String
    /// Words for room types (`living_room` → `living room`); others read with `_` as spaces.
    public var room_names: [String: String]?
    /// Replaces the graph's negative prompt, when given.
    public var negative_prompt: String?
    public var parameters: [String: Parameter]
    public var models: [Model]

    public static let parameterTypes = ["image", "string", "integer", "number"]
    /// What the media worker injects into every render. It also sets `positive_prompt`,
    /// `negative_prompt`, `seed` and `denoise` when the workflow declares them; a workflow of
    /// image operations alone has none of them.
    public static let requiredParameters = ["image", "filename_prefix"]
    public static let templatePlaceholders = ["room", "style"]
}
