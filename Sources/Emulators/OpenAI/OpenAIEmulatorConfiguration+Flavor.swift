extension OpenAIEmulatorConfiguration {
    /// The OpenAI-compatible server an emulator imitates. Each reproduces that server's
    /// `/metrics` names and labels, its behaviour while the model loads, its error bodies, its
    /// streamed chunk shapes and its `/v1/models` answer.
    public enum Flavor: String, Sendable, Equatable, CaseIterable {
        /// SGLang (`python -m sglang.launch_server --enable-metrics`).
        case sglang
        /// vLLM (`vllm serve`).
        case vllm
        /// llama.cpp's `llama-server --metrics`.
        case llamacpp

        /// The error body shape the server writes.
        public var errorStyle: ErrorStyle {
            switch self {
            case .sglang: .sglang
            case .vllm: .vllm
            case .llamacpp: .llamacpp
            }
        }

        /// vLLM answers 404 for a model name it does not serve; SGLang answers under any name
        /// and llama.cpp ignores the field.
        public var checksModelName: Bool { self == .vllm }

        /// `owned_by` in `/v1/models`.
        var owner: String {
            switch self {
            case .sglang: "sglang"
            case .vllm: "vllm"
            case .llamacpp: "llamacpp"
            }
        }
    }
}
