/// The parsers that read bytes from outside, each as a libFuzzer target: `ops/fuzz.sh` builds
/// `velocity-fuzz` with `-sanitize=fuzzer,address` and runs each for a bounded time on its
/// committed corpus (`fuzz/corpus/<target>`); `FuzzTargetsTests` replays that corpus and every
/// input a run found a crash with (`fuzz/regressions/<target>`) in the ordinary test suite.
///
/// A target returns normally for any input, a refusal included; a crash, a sanitizer report, a
/// hang or a broken property (each target checks what must hold for every input, with
/// `FuzzTarget.check`) is a finding.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `ImageValidator`: PNG (through libpng), JPEG and WebP uploads.
    case images
    /// The CRM import's shape scan and `CSVParser`: chunking and resuming change nothing.
    case csv
    /// `JSONRecovery` of model answers: strict JSON reads as `JSONValue(parsing:)` reads it, and
    /// what it recovers writes back as JSON that reads the same.
    case jsonRecovery = "json-recovery"
    /// `JSONSchema`: a schema (the input's first line) compiled, an instance (the rest) validated.
    case jsonSchema = "json-schema"
    /// `ServerSentEventParser` of the LLM clients: the same events however the stream is split.
    case sse
    /// The gateway's `MultipartUpload`: a split changes nothing, limits hold, no refusal is a
    /// 5xx, and nothing staged is left behind.
    case multipart
    /// ComfyUI's websocket messages and `/history` answers, as the render worker reads them.
    case comfyUI = "comfyui"
    /// A backend's Prometheus page, as the LLM dispatcher reads its load (`ServerLoad`).
    case metrics
    /// What an OpenAI-compatible server answers the LLM client: an error (status, `Retry-After`,
    /// body in any server's shape) classified by `OpenAIClientError.from`, a completion and a
    /// stream chunk decoded.
    case openAI = "openai"

    /// Runs one input.
    public func run(_ bytes: [UInt8]) {
        switch self {
        case .images: Self.images(bytes)
        case .csv: Self.csv(bytes)
        case .jsonRecovery: Self.jsonRecovery(bytes)
        case .jsonSchema: Self.jsonSchema(bytes)
        case .sse: Self.sse(bytes)
        case .multipart: Self.multipart(bytes)
        case .comfyUI: Self.comfyUI(bytes)
        case .metrics: Self.metrics(bytes)
        case .openAI: Self.openAI(bytes)
        }
    }

    /// A property every input must keep; a broken one stops the run with `message`, which
    /// libFuzzer reports as a crash and keeps the input.
    static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
        if !condition { fatalError("fuzz property broken: \(message())") }
    }

    /// Chunk sizes drawn from the input itself, so a run explores splits too (1…64 bytes).
    static func chunks(_ bytes: [UInt8], seed: UInt8) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        var size = Int(seed % 64) + 1
        while start < bytes.count {
            let end = min(bytes.count, start + size)
            result.append(bytes[start..<end])
            start = end
            size = Int(bytes[end - 1] % 64) + 1
        }
        return result
    }
}
