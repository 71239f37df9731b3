public import JobContracts
public import StructuredOutput
public import VelocityTypes

/// Asks the LLM server for JSON that fits an `OutputSchema`, and holds every answer to it:
/// each answer is recovered and validated here; one that fails goes back to the model with
/// the validator's messages, up to `maxAnswers`; then the job fails with `llm_invalid_output`,
/// keeping the last raw answer in the error for inspection.
public struct StructuredCompletion: Sendable {
    /// A valid answer and what it cost.
    public struct Answer: Sendable {
        public var value: JSONValue
        /// The server's text of the answer that was accepted.
        public var raw: String
        /// Requests sent, 1 when the first answer was valid.
        public var calls: Int
        /// What recovery repaired in the accepted answer.
        public var repairs: [JSONRepair]
        /// The served model's name, as the server reported it.
        public var model: String
    }

    let completions: LLMCompletions
    public let maxAnswers: Int

    public init(completions: LLMCompletions, maxAnswers: Int = 3) {
        self.completions = completions
        self.maxAnswers = max(1, maxAnswers)
    }

    /// - Parameters:
    ///   - request: the request without `response_format` (messages, temperature, max_tokens…).
    ///   - rules: what the schema cannot say, as problems in words the model can act on.
    public func answer(
        _ request: ChatCompletionRequest, schema: OutputSchema, rules: @escaping (JSONValue) -> [String] = { _ in [] }
    ) async throws -> Answer {
        var request = request
        if let format = schema.responseFormat { request["response_format"] = format }
        var messages = request["messages"]?.arrayValue ?? []
        var last = ""
        var problems: [String] = []
        for call in 1...maxAnswers {
            request["messages"] = .array(messages)
            let response = try await completions.complete(request)
            let choice = response.completion.choices.first
            let content = choice?.message.content
            last = content ?? ""
            switch schema.check(content, truncated: choice?.finish_reason == "length", also: rules) {
            case .valid(let value, let repairs):
                return Answer(value: value, raw: last, calls: call, repairs: repairs, model: response.completion.model)
            case .invalid(let found, _):
                problems = found
                messages.append(.object(["role": "assistant", "content": .string(last)]))
                messages.append(.object(["role": "user", "content": .string(schema.feedback(found))]))
            }
        }
        throw JobError(
            code: "llm_invalid_output",
            message: "\(maxAnswers) answers did not fit the schema '\(schema.name)': "
                + problems.prefix(5).joined(separator: "; ") + "; last answer: " + Self.excerpt(last),
            retriable: false)
    }

    /// The raw answer as kept in an error: whole up to 2,000 characters.
    static func excerpt(_ text: String) -> String {
        text.count <= 2_000 ? text : String(text.prefix(2_000)) + "… (\(text.count) characters)"
    }
}
