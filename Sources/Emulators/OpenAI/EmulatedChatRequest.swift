import Foundation

/// A chat completion request as the emulator understands it, validated the way the emulated
/// server validates (400 with a message naming the problem; llama.cpp: 500 for a body that is
/// not JSON).
struct EmulatedChatRequest {
    var model: String
    var messages: [(role: String, content: String)]
    var maxTokens: Int
    var stream: Bool
    var includeUsage: Bool
    var promptTokens: Int
    var responseFormat: ResponseFormat

    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    init(body: [UInt8], configuration: OpenAIEmulatorConfiguration) throws(EmulatorError) {
        let flavor = configuration.flavor
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)), let json = object as? [String: Any] else {
            if flavor == .llamacpp { throw .unparsable(body) }
            throw .badRequest("JSON decode error: the body must be a JSON object")
        }
        guard let rawMessages = json["messages"] else {
            // llama.cpp: server-common.cpp oaicompat_chat_params_parse, an invalid_argument (400).
            throw .badRequest(flavor == .llamacpp ? "'messages' is required" : "Field required: messages", param: "messages")
        }
        guard let list = rawMessages as? [Any] else {
            throw .badRequest("Input should be a valid list: messages", param: "messages")
        }
        guard !list.isEmpty else { throw .badRequest("Messages cannot be empty.", param: "messages") }
        var messages: [(role: String, content: String)] = []
        for (index, item) in list.enumerated() {
            guard let message = item as? [String: Any] else {
                throw .badRequest("messages[\(index)]: must be an object", param: "messages")
            }
            guard let role = message["role"] as? String, Self.roles.contains(role) else {
                throw .badRequest("messages[\(index)].role: must be one of \(Self.roles.sorted())", param: "messages")
            }
            messages.append((role, try Self.text(message["content"], index: index, role: role)))
        }
        let model = json["model"] as? String ?? configuration.model
        if json["model"] != nil && !(json["model"] is String) {
            throw .badRequest("model: must be a string", param: "model")
        }
        if configuration.strictModel && model != configuration.model { throw .modelNotFound(model) }
        var maxTokens = configuration.defaultMaxTokens
        for name in ["max_tokens", "max_completion_tokens"] {
            guard let value = json[name], !(value is NSNull) else { continue }
            guard !(value is String), let number = value as? NSNumber, number.doubleValue == number.doubleValue.rounded()
            else { throw .badRequest("\(name): must be an integer", param: name) }
            guard number.intValue >= 1 else { throw .badRequest("\(name) must be at least 1, got \(number.intValue).", param: name) }
            maxTokens = number.intValue
        }
        if let value = json["temperature"], !(value is NSNull) {
            guard let number = value as? NSNumber, (0...2).contains(number.doubleValue) else {
                throw .badRequest("temperature: must be a number from 0 to 2", param: "temperature")
            }
        }
        if let value = json["n"], !(value is NSNull) {
            guard let number = value as? NSNumber, number.intValue == 1 else {
                throw .badRequest("n: the emulator answers one choice (n = 1)", param: "n")
            }
        }
        var stream = false
        if let value = json["stream"], !(value is NSNull) {
            guard let flag = value as? Bool else { throw .badRequest("stream: must be a boolean", param: "stream") }
            stream = flag
        }
        let options = json["stream_options"] as? [String: Any]
        let promptTokens = EmulatedText.promptTokens(messages: messages)
        try Self.checkContext(promptTokens: promptTokens, maxTokens: maxTokens, configuration: configuration)
        self.model = model
        self.messages = messages
        self.maxTokens = maxTokens
        self.stream = stream
        self.includeUsage = stream && (options?["include_usage"] as? Bool ?? false)
        self.promptTokens = promptTokens
        self.responseFormat = json["response_format"] == nil ? .text : try Self.responseFormat(body: body, flavor: flavor)
    }

    /// Each server's context check. SGLang (tokenizer_manager `_validate_one_request`) and vLLM
    /// (serving_engine `_validate_input`) refuse a prompt plus `max_tokens` past the context;
    /// llama.cpp refuses only a prompt that fills the slot and lets generation stop at `n_ctx`.
    static func checkContext(promptTokens: Int, maxTokens: Int, configuration: OpenAIEmulatorConfiguration) throws(EmulatorError) {
        let limit = configuration.contextLength
        switch configuration.flavor {
        case .llamacpp:
            if promptTokens >= limit { throw .exceedsContext(promptTokens: promptTokens, nCtx: limit) }
        case .sglang:
            guard promptTokens + maxTokens > limit else { return }
            throw .badRequest(
                "Requested token count exceeds the model's maximum context length of \(limit) tokens. You requested a total of \(promptTokens + maxTokens) tokens: \(promptTokens) tokens from the input messages and \(maxTokens) tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.",
                param: "max_tokens")
        case .vllm:
            guard promptTokens + maxTokens > limit else { return }
            throw .badRequest(
                "This model's maximum context length is \(limit) tokens. However, you requested \(promptTokens + maxTokens) tokens (\(promptTokens) in the messages, \(maxTokens) in the completion). Please reduce the length of the messages or completion.")
        }
    }

    /// Tokens the answer may have: `max_tokens`, and for llama.cpp no more than the slot's
    /// context leaves.
    func completionBudget(_ configuration: OpenAIEmulatorConfiguration) -> Int {
        guard configuration.flavor == .llamacpp else { return maxTokens }
        return max(1, min(maxTokens, configuration.contextLength - promptTokens))
    }

    /// A message's content: a string, text parts, or null (an assistant turn with tool calls).
    static func text(_ content: Any?, index: Int, role: String) throws(EmulatorError) -> String {
        switch content {
        case let text as String:
            return text
        case let parts as [Any]:
            var texts: [String] = []
            for part in parts {
                guard let part = part as? [String: Any], let type = part["type"] as? String else {
                    throw .badRequest("messages[\(index)].content: each part must be an object with a type", param: "messages")
                }
                if type == "text" {
                    guard let text = part["text"] as? String else {
                        throw .badRequest("messages[\(index)].content: a text part needs text", param: "messages")
                    }
                    texts.append(text)
                }
            }
            return texts.joined(separator: " ")
        case nil, is NSNull:
            guard role == "assistant" else {
                throw .badRequest("messages[\(index)].content: Field required", param: "messages")
            }
            return ""
        default:
            throw .badRequest("messages[\(index)].content: must be a string or a list of parts", param: "messages")
        }
    }

    var promptText: String { EmulatedText.promptText(messages: messages) }
}
