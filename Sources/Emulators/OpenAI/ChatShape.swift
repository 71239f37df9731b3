import Foundation

/// The JSON of one answer's completion and chunks, as the emulated flavor writes them.
///
/// - SGLang (`sglang/srt/entrypoints/openai/serving_chat.py`): a role chunk with
///   `content: ""`, a chunk per token, a last chunk with an empty delta and the finish
///   reason, then the `choices: []` usage chunk when `stream_options.include_usage`.
/// - vLLM (`vllm/entrypoints/openai/serving_chat.py`): the role chunk, a chunk per token, the
///   finish reason on the last token's chunk (with `stop_reason`), then the usage chunk.
/// - llama.cpp (`tools/server/server-task.cpp`, `to_json_oaicompat_chat[_stream]`): a role
///   chunk with `content: null`, a chunk per token, a last chunk with an empty delta and the
///   finish reason, the usage chunk when asked, `timings` on whichever is last, and
///   `system_fingerprint` and `timings` in every answer.
struct ChatShape {
    let flavor: OpenAIEmulatorConfiguration.Flavor
    let id: String
    let created: Int
    let model: String
    let promptTokens: Int
    let configuration: OpenAIEmulatorConfiguration

    /// What llama.cpp writes as its build (`llama_build_info()`).
    static let fingerprint = "b0-emulator"

    func usage(_ completionTokens: Int) -> [String: Any] {
        var usage: [String: Any] = [
            "prompt_tokens": promptTokens, "completion_tokens": completionTokens,
            "total_tokens": promptTokens + completionTokens,
        ]
        if flavor == .llamacpp { usage["prompt_tokens_details"] = ["cached_tokens": 0] }
        return usage
    }

    /// llama.cpp's `timings` (`result_timings::to_json`), from the capacity model's durations.
    func timings(_ completionTokens: Int) -> [String: Any] {
        let promptMilliseconds = configuration.prefillMilliseconds
        let predictedMilliseconds = Double(completionTokens) * 1_000 / configuration.tokensPerSecond
        func perToken(_ milliseconds: Double, _ count: Int) -> Double { count > 0 ? milliseconds / Double(count) : 0 }
        func perSecond(_ milliseconds: Double, _ count: Int) -> Double { milliseconds > 0 ? 1_000 * Double(count) / milliseconds : 0 }
        return [
            "cache_n": 0, "prompt_n": promptTokens, "prompt_ms": promptMilliseconds,
            "prompt_per_token_ms": perToken(promptMilliseconds, promptTokens),
            "prompt_per_second": perSecond(promptMilliseconds, promptTokens),
            "predicted_n": completionTokens, "predicted_ms": predictedMilliseconds,
            "predicted_per_token_ms": perToken(predictedMilliseconds, completionTokens),
            "predicted_per_second": perSecond(predictedMilliseconds, completionTokens),
        ]
    }

    /// The whole `chat.completion`.
    func completion(_ answer: EmulatedAnswer) -> [String: Any] {
        var choice: [String: Any] = [
            "index": 0, "finish_reason": answer.finishReason,
            "message": ["role": "assistant", "content": answer.content],
        ]
        var body: [String: Any] = [
            "id": id, "object": "chat.completion", "created": created, "model": model, "usage": usage(answer.tokens.count),
        ]
        switch flavor {
        case .sglang:
            choice["logprobs"] = NSNull()
        case .vllm:
            choice["logprobs"] = NSNull()
            choice["stop_reason"] = NSNull()
            choice["message"] = ["role": "assistant", "content": answer.content, "tool_calls": [Any]()] as [String: Any]
            body["prompt_logprobs"] = NSNull()
        case .llamacpp:
            body["system_fingerprint"] = Self.fingerprint
            body["timings"] = timings(answer.tokens.count)
        }
        body["choices"] = [choice]
        return body
    }

    /// The first chunk: the role alone.
    func roleChunk() -> [String: Any] {
        chunk(delta: ["role": "assistant", "content": flavor == .llamacpp ? NSNull() : ""], finish: nil)
    }

    func tokenChunk(_ token: String, finish: String? = nil) -> [String: Any] {
        var object = chunk(delta: ["content": token], finish: finish)
        if flavor == .vllm, finish != nil, var choices = object["choices"] as? [[String: Any]] {
            choices[0]["stop_reason"] = NSNull()
            object["choices"] = choices
        }
        return object
    }

    /// A chunk with an empty delta and the finish reason (SGLang, llama.cpp, and vLLM when no
    /// token was sent).
    func finishChunk(_ finish: String) -> [String: Any] {
        chunk(delta: [:], finish: finish)
    }

    func usageChunk(_ completionTokens: Int) -> [String: Any] {
        var object: [String: Any] = [
            "id": id, "object": "chat.completion.chunk", "created": created, "model": model, "choices": [Any](),
            "usage": usage(completionTokens),
        ]
        if flavor == .llamacpp { object["system_fingerprint"] = Self.fingerprint }
        return object
    }

    private func chunk(delta: [String: Any], finish: String?) -> [String: Any] {
        var choice: [String: Any] = ["index": 0, "delta": delta, "finish_reason": finish ?? NSNull()]
        if flavor != .llamacpp { choice["logprobs"] = NSNull() }
        var object: [String: Any] = [
            "id": id, "object": "chat.completion.chunk", "created": created, "model": model, "choices": [choice],
        ]
        if flavor == .llamacpp { object["system_fingerprint"] = Self.fingerprint }
        return object
    }

    /// `data: {json}\n\n`.
    static func event(_ object: [String: Any]) -> [UInt8] {
        Array("data: ".utf8) + JSONText.bytes(object) + Array("\n\n".utf8)
    }
}
