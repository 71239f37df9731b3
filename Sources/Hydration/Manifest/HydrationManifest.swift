/// One mode's models, as pinned by `hydration/<mode>.yaml`.
///
/// ```yaml
/// mode: media
/// models:
///   - name: dreamweaver-staging-xl
///     kind: checkpoint
///     source: https://huggingface.co/…/sd_xl_base_1.0.safetensors
///     size: 6938078334
///     sha256: 31e35c80…
///     destination: checkpoints/dreamweaver_staging_xl.safetensors
///   - name: llama-3.1-8b-instruct
///     kind: llm_weights
///     destination: llm/Llama-3.1-8B-Instruct
///     files:
///       - {path: config.json, source: https://…, size: 855, sha256: 29e4c210…}
/// ```
public struct HydrationManifest: Sendable, Equatable {
    /// The mode: `media`, `llm` or `split`.
    public var mode: String
    /// Where it was read from (for error messages).
    public var path: String
    public var models: [ManifestModel]

    public init(mode: String, path: String, models: [ManifestModel]) {
        self.mode = mode
        self.path = path
        self.models = models
    }

    /// Every file of every model.
    public var files: [ManifestFile] { models.flatMap(\.files) }

    /// Bytes of all files.
    public var totalBytes: Int64 { files.reduce(0) { $0 + $1.size } }

    /// The single LLM weights directory, if the mode has one.
    public var llmModel: ManifestModel? { models.first { $0.kind == .llmWeights } }
}

/// One model: a single file, or a directory of files for `llm_weights`.
public struct ManifestModel: Sendable, Equatable {
    public var name: String
    public var kind: ModelKind
    /// Relative to the snapshot root: `checkpoints/x.safetensors`, or `llm/<dir>` for weights.
    public var destination: String
    public var files: [ManifestFile]

    public init(name: String, kind: ModelKind, destination: String, files: [ManifestFile]) {
        self.name = name
        self.kind = kind
        self.destination = destination
        self.files = files
    }
}

/// One file to stage: its source, pinned size and digest, and its path in the snapshot.
public struct ManifestFile: Sendable, Equatable {
    /// The model it belongs to.
    public var model: String
    public var source: ModelSource
    public var size: Int64
    /// Lowercase hex.
    public var sha256: String
    /// Relative to the snapshot root.
    public var destination: String

    public init(model: String, source: ModelSource, size: Int64, sha256: String, destination: String) {
        self.model = model
        self.source = source
        self.size = size
        self.sha256 = sha256
        self.destination = destination
    }

    /// Safetensors files get their header checked before they are accepted.
    public var isSafetensors: Bool { destination.hasSuffix(".safetensors") }
}
