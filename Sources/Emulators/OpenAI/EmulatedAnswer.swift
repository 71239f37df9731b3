/// What the emulator answers a chat request with: the completion's tokens as they are sent,
/// and why it stopped.
struct EmulatedAnswer {
    var tokens: [String]
    /// `length` or `stop`.
    var finishReason: String
    /// How a structured-output answer was broken, if it was.
    var broken: BrokenJSONKind?

    var content: String { tokens.joined() }

    /// A plain request gets `max_tokens` words and stops for length (the emulated model never
    /// ends on its own). A structured-output request gets JSON (`StructuredAnswer`, drawn from
    /// the configured seed and the prompt) and stops when it is written — or for length when
    /// `max_tokens` (llama.cpp: the context) runs out first, or when the draw truncated it.
    init(_ chat: EmulatedChatRequest, configuration: OpenAIEmulatorConfiguration) {
        let budget = chat.completionBudget(configuration)
        guard chat.responseFormat.wantsJSON else {
            tokens = EmulatedText.tokens(prompt: chat.promptText, count: budget)
            finishReason = "length"
            broken = nil
            return
        }
        let answer = StructuredAnswer.make(
            schema: chat.responseFormat.schema, seed: configuration.seed ^ EmulatedText.fnv1a(chat.promptText),
            rates: configuration.brokenJSON)
        let pieces = EmulatedText.pieces(of: answer.text)
        broken = answer.broken
        if pieces.count > budget {
            tokens = Array(pieces.prefix(budget))
            finishReason = "length"
        } else {
            tokens = pieces
            finishReason = answer.truncated ? "length" : "stop"
        }
    }
}
