/// The emulator's `/metrics` page, in the text exposition format Python's prometheus_client
/// writes (which is what SGLang and vLLM serve).
enum PrometheusText {
    static func render(counts: DecodeSlots.Counts, configuration: OpenAIEmulatorConfiguration, genThroughput: Double)
        -> String
    {
        let model = escape(configuration.model)
        // SGLang's scheduler labels: model_name, engine_type, tp_rank, pp_rank.
        let sglang = "{model_name=\"\(model)\",engine_type=\"unified\",tp_rank=\"0\",pp_rank=\"0\"}"
        let usage = Double(counts.running) / Double(configuration.slots)
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String, _ labels: String, _ value: Double) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name)\(labels) \(format(value))\n"
        }
        metric("sglang:num_running_reqs", "gauge", "The number of running requests.", sglang, Double(counts.running))
        metric("sglang:num_queue_reqs", "gauge", "The number of requests in the waiting queue.", sglang, Double(counts.queued))
        metric("sglang:token_usage", "gauge", "The token usage.", sglang, usage)
        metric("sglang:gen_throughput", "gauge", "The generation throughput (token/s).", sglang, genThroughput)
        metric(
            "sglang:prompt_tokens_total", "counter", "Number of prefill tokens processed.", "{model_name=\"\(model)\"}",
            Double(counts.promptTokens))
        metric(
            "sglang:generation_tokens_total", "counter", "Number of generation tokens processed.",
            "{model_name=\"\(model)\"}", Double(counts.completionTokens))
        if configuration.vllmMetrics {
            let vllm = "{engine=\"0\",model_name=\"\(model)\"}"
            metric(
                "vllm:num_requests_running", "gauge", "Number of requests in model execution batches.", vllm,
                Double(counts.running))
            metric(
                "vllm:num_requests_waiting", "gauge", "Number of requests waiting to be processed.", vllm,
                Double(counts.queued))
            metric(
                "vllm:kv_cache_usage_perc", "gauge", "KV-cache usage. 1 means 100 percent usage.", vllm, usage)
            metric(
                "vllm:generation_tokens_total", "counter", "Number of generation tokens processed.", vllm,
                Double(counts.completionTokens))
        }
        return text
    }

    /// Python's float repr for the values that occur here: `3.0`, `0.25`.
    static func format(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return "\(Int64(value)).0" }
        return "\(value)"
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
