public import Broker
public import JobContracts
public import PlatformStore
public import StructuredOutput
import VelocityTypes

/// `oracle.synthetic_template`: one line of a synthetic job. The model is shown the
/// component's schema and few-shot examples and asked for one example; the answer must fit
/// the schema (fed back when it does not) and differ from every example the job already has
/// (regenerated, warmer, when it does not), then it is stored under the line.
public struct SyntheticExampleProcessor: JobProcessor {
    public typealias Contract = OracleSyntheticTemplate

    let structured: StructuredCompletion
    let store: SyntheticJobStore
    let specs: SyntheticJobSpecs
    /// Answers dropped as duplicates before the line fails.
    let maxRegenerations: Int
    let mode: OutputSchema.RequestMode

    public init(
        structured: StructuredCompletion, store: SyntheticJobStore, maxRegenerations: Int = 3,
        mode: OutputSchema.RequestMode = .jsonSchema
    ) {
        self.structured = structured
        self.store = store
        self.specs = SyntheticJobSpecs(store: store)
        self.maxRegenerations = maxRegenerations
        self.mode = mode
    }

    public func process(
        _ payload: OracleSyntheticTemplate.Payload, job: ClaimedJob, context: JobContext
    ) async throws -> OracleSyntheticTemplate.Result {
        let (spec, schema) = try await specs.spec(payload.synthetic_job_id, mode: mode)
        guard spec.tenant == job.tenant, spec.templateID == payload.template_id, payload.line < spec.count else {
            // Worded as for an unknown job: a line must not tell another tenant which ids exist.
            throw JobError(code: "invalid_payload", message: Self.notFound(spec.id), retriable: false)
        }
        guard !spec.canceled else {
            throw JobError(code: .canceled, message: "synthetic job \(spec.id) was canceled", retriable: false)
        }
        // A retried line whose example an earlier attempt stored: that one is the line's.
        if let stored = try await store.storedExample(jobID: spec.id, line: payload.line) {
            return .init(
                line: payload.line, llm_calls: stored.llmCalls, regenerations: stored.regenerations, example: stored.example)
        }
        var request = Self.request(spec, line: payload.line)
        var calls = 0
        for regeneration in 0...maxRegenerations {
            let answer = try await structured.answer(request, schema: schema)
            calls += answer.calls
            // Once stored, the example is the line's result: a cancel arriving meanwhile must not
            // end the line as canceled with its example kept.
            let outcome = try await context.committing {
                try await store.store(
                    example: answer.value, line: payload.line, of: spec, llmCalls: calls, regenerations: regeneration)
            }
            switch outcome {
            case .stored:
                return .init(line: payload.line, llm_calls: calls, regenerations: regeneration, example: answer.value)
            case .alreadyStored:
                // Another attempt of this line got there first; the stored example is the line's.
                guard let stored = try await store.storedExample(jobID: spec.id, line: payload.line) else { continue }
                return .init(
                    line: payload.line, llm_calls: stored.llmCalls, regenerations: stored.regenerations,
                    example: stored.example)
            case .duplicate:
                var messages = request["messages"]?.arrayValue ?? []
                messages.append(.object(["role": "assistant", "content": .string(answer.raw)]))
                messages.append(
                    .object([
                        "role": "user",
                        "content":
                            "That example is the same as one already generated. Give a different one: other names, numbers and dates.",
                    ]))
                request["messages"] = .array(messages)
                request["temperature"] = .double(min(2, spec.temperature + 0.3 * Double(regeneration + 1)))
                request["seed"] = .int(Int64(payload.line + spec.count * (regeneration + 1)))
            }
        }
        throw JobError(
            code: "duplicate_example",
            message: "\(maxRegenerations + 1) answers of line \(payload.line) repeated examples the job already has",
            retriable: false)
    }

    static func notFound(_ id: String) -> String {
        "no synthetic job \(id) of this tenant with that template and line"
    }

    /// The first request of a line: the template, its schema and examples, and which line it is.
    static func request(_ spec: SyntheticJob, line: Int) -> ChatCompletionRequest {
        var system = """
            You generate synthetic seed data for the analytics component template "\(spec.templateID)" of a \
            real-estate intelligence platform (luxury property sales in India; buyers in India, Dubai, the UK and \
            the US). Each answer is one example: a single JSON object that fits this JSON Schema exactly.
            Make it realistic and unlike other examples: vary names, numbers, dates and sizes.

            JSON Schema:
            \(spec.schema.jsonText)
            """
        if !spec.examples.isEmpty {
            system += "\n\nExamples of the shape (do not copy them):\n"
            system += spec.examples.map(\.jsonText).joined(separator: "\n")
        }
        var request = ChatCompletionRequest(fields: [:])
        request["messages"] = .array([
            .object(["role": "system", "content": .string(system)]),
            .object([
                "role": "user",
                "content": .string("Example \(line + 1) of \(spec.count). Answer with the JSON object only."),
            ]),
        ])
        request["temperature"] = .double(spec.temperature)
        // Servers that take a seed (vLLM, SGLang, llama.cpp) then vary by line, not by chance.
        request["seed"] = .int(Int64(line))
        request["max_tokens"] = 1_024
        return request
    }
}
