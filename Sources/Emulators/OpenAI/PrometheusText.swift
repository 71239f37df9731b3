import Foundation

/// The emulator's `/metrics` page in its flavor's names, labels and number format.
///
/// - SGLang and vLLM serve Python's prometheus_client text (`3.0`, `0.25`), gauges labelled
///   with the served model (`model_name`; vLLM also `engine`, SGLang its ranks).
/// - llama.cpp (`--metrics`) writes `llamacpp:` counters then gauges with no labels and
///   C++ stream numbers (`3`, `514.037`): `tools/server/server.cpp`, `handle_metrics`.
enum PrometheusText {
    static func render(counts: DecodeSlots.Counts, configuration: OpenAIEmulatorConfiguration) -> String {
        switch configuration.flavor {
        case .sglang:
            var text = sglang(counts, configuration)
            if configuration.vllmMetrics { text += vllm(counts, configuration) }
            return text
        case .vllm:
            return vllm(counts, configuration)
        case .llamacpp:
            return llamacpp(counts, configuration)
        }
    }

    private static func metric(_ text: inout String, _ name: String, _ type: String, _ help: String, _ samples: String...) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        for sample in samples { text += "\(name)\(sample)\n" }
    }

    static func sglang(_ counts: DecodeSlots.Counts, _ configuration: OpenAIEmulatorConfiguration) -> String {
        let model = escape(configuration.model)
        // SGLang's scheduler labels: model_name, engine_type, tp_rank, pp_rank.
        let labels = "{model_name=\"\(model)\",engine_type=\"unified\",tp_rank=\"0\",pp_rank=\"0\"}"
        let usage = Double(counts.running) / Double(configuration.slots)
        let throughput = Double(counts.running) * configuration.tokensPerSecond
        var text = ""
        metric(&text, "sglang:num_running_reqs", "gauge", "The number of running requests.", "\(labels) \(python(Double(counts.running)))")
        metric(
            &text, "sglang:num_queue_reqs", "gauge", "The number of requests in the waiting queue.",
            "\(labels) \(python(Double(counts.queued)))")
        metric(&text, "sglang:token_usage", "gauge", "The token usage.", "\(labels) \(python(usage))")
        metric(&text, "sglang:gen_throughput", "gauge", "The generation throughput (token/s).", "\(labels) \(python(throughput))")
        metric(
            &text, "sglang:prompt_tokens_total", "counter", "Number of prefill tokens processed.",
            "{model_name=\"\(model)\"} \(python(Double(counts.promptTokens)))")
        metric(
            &text, "sglang:generation_tokens_total", "counter", "Number of generation tokens processed.",
            "{model_name=\"\(model)\"} \(python(Double(counts.completionTokens)))")
        return text
    }

    /// vLLM V1's names (`vllm/v1/metrics/loggers.py`, labelnames `model_name`, `engine`;
    /// prometheus_client writes label names sorted).
    static func vllm(_ counts: DecodeSlots.Counts, _ configuration: OpenAIEmulatorConfiguration) -> String {
        let labels = "{engine=\"0\",model_name=\"\(escape(configuration.model))\"}"
        let usage = Double(counts.running) / Double(configuration.slots)
        var text = ""
        metric(
            &text, "vllm:num_requests_running", "gauge", "Number of requests in model execution batches.",
            "\(labels) \(python(Double(counts.running)))")
        metric(
            &text, "vllm:num_requests_waiting", "gauge", "Number of requests waiting to be processed.",
            "\(labels) \(python(Double(counts.queued)))")
        metric(&text, "vllm:kv_cache_usage_perc", "gauge", "KV-cache usage. 1 means 100 percent usage.", "\(labels) \(python(usage))")
        metric(
            &text, "vllm:prompt_tokens_total", "counter", "Number of prefill tokens processed.",
            "\(labels) \(python(Double(counts.promptTokens)))")
        metric(
            &text, "vllm:generation_tokens_total", "counter", "Number of generation tokens processed.",
            "\(labels) \(python(Double(counts.completionTokens)))")
        return text
    }

    /// llama.cpp's page. Its timing counters come from the capacity model (prefill per request,
    /// one decode step per token), and a busy slot per decode is taken as the running count.
    static func llamacpp(_ counts: DecodeSlots.Counts, _ configuration: OpenAIEmulatorConfiguration) -> String {
        let promptSeconds = Double(counts.completed) * configuration.prefillMilliseconds / 1_000
        let predictedSeconds = Double(counts.completionTokens) / configuration.tokensPerSecond
        var text = ""
        func item(_ name: String, _ type: String, _ help: String, _ value: Double) {
            metric(&text, "llamacpp:" + name, type, help, " " + cpp(value))
        }
        item("prompt_tokens_total", "counter", "Number of prompt tokens processed.", Double(counts.promptTokens))
        item("prompt_seconds_total", "counter", "Prompt process time", promptSeconds)
        item("tokens_predicted_total", "counter", "Number of generation tokens processed.", Double(counts.completionTokens))
        item("tokens_predicted_seconds_total", "counter", "Predict process time", predictedSeconds)
        item("n_decode_total", "counter", "Total number of llama_decode() calls", Double(counts.completionTokens))
        item("n_busy_slots_per_decode", "counter", "Average number of busy slots per llama_decode() call", Double(max(1, counts.running)))
        item(
            "prompt_tokens_seconds", "gauge", "Average prompt throughput in tokens/s.",
            promptSeconds > 0 ? Double(counts.promptTokens) / promptSeconds : 0)
        item(
            "predicted_tokens_seconds", "gauge", "Average generation throughput in tokens/s.",
            predictedSeconds > 0 ? Double(counts.completionTokens) / predictedSeconds : 0)
        item("requests_processing", "gauge", "Number of requests processing.", Double(counts.running))
        item("requests_deferred", "gauge", "Number of requests deferred.", Double(counts.queued))
        return text
    }

    /// Python's float repr for the values that occur here: `3.0`, `0.25`.
    static func python(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return "\(Int64(value)).0" }
        return "\(value)"
    }

    /// A C++ stream's default double: six significant digits, no trailing zeros (`3`, `514.037`).
    static func cpp(_ value: Double) -> String {
        String(format: "%g", value)
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
