import Foundation

/// A chat completion request as the emulator understands it, validated the way the real
/// servers validate (400 with a message naming the problem).
struct EmulatedChatRequest {
    var model: String
    var messages: [(role: String, content: String)]
    var maxTokens: Int
    var stream: Bool
    var includeUsage: Bool
    var promptTokens: Int

    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool", "function"]

    init(body: [UInt8], configuration: OpenAIEmulatorConfiguration) throws(EmulatorError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)), let json = object as? [String: Any] else {
            throw .badRequest("JSON decode error: the body must be a JSON object")
        }
        guard let rawMessages = json["messages"] else { throw .badRequest("Field required: messages", param: "messages") }
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
        if promptTokens + maxTokens > configuration.contextLength {
            throw .badRequest(
                "Requested token count exceeds the model's maximum context length of \(configuration.contextLength) tokens. You requested a total of \(promptTokens + maxTokens) tokens: \(promptTokens) tokens from the input messages and \(maxTokens) tokens for the completion. Please reduce the number of tokens in the input messages or the completion to fit within the limit.",
                param: "max_tokens")
        }
        self.model = model
        self.messages = messages
        self.maxTokens = maxTokens
        self.stream = stream
        self.includeUsage = stream && (options?["include_usage"] as? Bool ?? false)
        self.promptTokens = promptTokens
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
