import ArgumentParser
import Emulators
import Foundation
import Logging
import ServiceLifecycle

/// `velocity emulator openai`: an OpenAI-compatible LLM server with a capacity model, in the
/// flavor of SGLang (the default), vLLM or llama.cpp's llama-server, for development, tests and
/// benchmarks.
struct OpenAIEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openai",
        abstract: "Run an emulated OpenAI-compatible LLM server (SGLang, vLLM or llama.cpp) with a capacity model.",
        discussion: """
            --flavor picks the server whose /metrics names, start-up, error bodies, chunk shapes and /v1/models \
            the emulator reproduces. While --startup-ms runs, SGLang answers /health 503, llama.cpp answers 503 \
            "Loading model" everywhere but /v1/models, and vLLM does not listen yet.
            Requests hold one of --slots decode slots for --prefill-ms plus one decode step per token at
            --tokens-per-second; past the slots they queue first come first served, as /metrics shows.
            Capacity for max_tokens M: slots / (prefill + M / tokens-per-second) requests per second
            (GET /emulator/capacity?max_tokens=M). Faults: POST /emulator/faults {"status":429,"count":2},
            {"delay_ms":500}, {"drop":true}; DELETE /emulator/faults.
            A response_format (json_object, json_schema) is answered with JSON made from the schema;
            --broken-json-rate R breaks a fraction R of those answers, spread evenly over the kinds
            (fenced, prose, trailing-comma, single-quotes, truncated, schema-violation); the per-kind
            rates override a kind's share. --seed changes which answers break.
            """)

    @Option(help: "The server to imitate: sglang, vllm or llamacpp.")
    var flavor: String = OpenAIEmulatorConfiguration.Flavor.sglang.rawValue

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port; the ready line says which).")
    var port: Int = 30000

    @Option(help: "Served model name (SGLang/vLLM --served-model-name, llama.cpp --alias or -m path).")
    var model: String = "emulated-model"

    @Option(help: "Requests decoded at once; more wait in a FIFO queue.")
    var slots: Int = 8

    @Option(help: "Decode speed of one request, tokens per second.")
    var tokensPerSecond: Double = 100

    @Option(help: "Time before a request's first token, in its slot (milliseconds).")
    var prefillMs: Double = 20

    @Option(help: "max_tokens of a request that names none.")
    var defaultMaxTokens: Int = 128

    @Option(
        name: [.customLong("context-length"), .customLong("ctx-size")],
        help: "Context window: prompt plus completion tokens (llama.cpp: one slot's n_ctx).")
    var contextLength: Int = 32_768

    @Flag(help: "Answer 404 for a model name other than --model (vLLM does so by default).")
    var strictModel = false

    @Option(help: "Error body shape: sglang (flat), openai, vllm or llamacpp (nested); default: the flavor's.")
    var errorStyle: String?

    @Flag(help: "Also expose vLLM's gauge names on an SGLang flavor's /metrics.")
    var vllmMetrics = false

    @Option(help: "Model loading time after start (milliseconds): what the flavor does while loading lasts this long.")
    var startupMs: Int = 0

    @Option(help: "Fraction of structured-output answers that come back broken, spread evenly over the kinds.")
    var brokenJsonRate: Double = 0

    @Option(help: "Rate of answers wrapped in a ```json fence (overrides its share of --broken-json-rate).")
    var brokenJsonFencedRate: Double?

    @Option(help: "Rate of answers with prose before and after the JSON.")
    var brokenJsonProseRate: Double?

    @Option(help: "Rate of answers with a trailing comma.")
    var brokenJsonTrailingCommaRate: Double?

    @Option(help: "Rate of answers in single quotes.")
    var brokenJsonSingleQuotesRate: Double?

    @Option(help: "Rate of answers cut off mid-value (finish_reason length).")
    var brokenJsonTruncatedRate: Double?

    @Option(help: "Rate of well-formed answers that break the schema (a bound, a required property, an enum, the type).")
    var brokenJsonSchemaViolationRate: Double?

    @Option(help: "Seed mixed into every answer's draw.")
    var seed: UInt64 = 0

    var brokenJSON: BrokenJSONRates {
        let overrides: [BrokenJSONKind: Double?] = [
            .fenced: brokenJsonFencedRate, .prose: brokenJsonProseRate, .trailingComma: brokenJsonTrailingCommaRate,
            .singleQuotes: brokenJsonSingleQuotesRate, .truncated: brokenJsonTruncatedRate,
            .schemaViolation: brokenJsonSchemaViolationRate,
        ]
        return BrokenJSONRates(total: brokenJsonRate, overrides: overrides.compactMapValues { $0 })
    }

    func validate() throws {
        guard OpenAIEmulatorConfiguration.Flavor(rawValue: flavor) != nil else {
            throw ValidationError("--flavor must be one of \(OpenAIEmulatorConfiguration.Flavor.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard slots >= 1 else { throw ValidationError("--slots must be at least 1") }
        guard tokensPerSecond > 0 else { throw ValidationError("--tokens-per-second must be positive") }
        guard prefillMs >= 0 else { throw ValidationError("--prefill-ms must not be negative") }
        if let errorStyle, OpenAIEmulatorConfiguration.ErrorStyle(rawValue: errorStyle) == nil {
            throw ValidationError("--error-style must be one of \(OpenAIEmulatorConfiguration.ErrorStyle.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard defaultMaxTokens >= 1, contextLength > defaultMaxTokens else {
            throw ValidationError("--default-max-tokens must be at least 1 and below --context-length")
        }
        guard startupMs >= 0 else { throw ValidationError("--startup-ms must not be negative") }
        let rates = [brokenJsonRate, brokenJsonFencedRate, brokenJsonProseRate, brokenJsonTrailingCommaRate,
            brokenJsonSingleQuotesRate, brokenJsonTruncatedRate, brokenJsonSchemaViolationRate].compactMap { $0 }
        guard rates.allSatisfy({ (0...1).contains($0) }) else { throw ValidationError("broken-JSON rates must be from 0 to 1") }
        guard brokenJSON.total <= 1 + 1e-9 else {
            throw ValidationError("the broken-JSON rates add up to \(brokenJSON.total); they may add up to 1 at most")
        }
    }

    var emulatorConfiguration: OpenAIEmulatorConfiguration {
        let flavor = OpenAIEmulatorConfiguration.Flavor(rawValue: flavor) ?? .sglang
        return OpenAIEmulatorConfiguration(
            flavor: flavor, model: model, slots: slots, tokensPerSecond: tokensPerSecond, prefillMilliseconds: prefillMs,
            defaultMaxTokens: defaultMaxTokens, contextLength: contextLength, strictModel: strictModel ? true : nil,
            errorStyle: errorStyle.flatMap(OpenAIEmulatorConfiguration.ErrorStyle.init(rawValue:)), vllmMetrics: vllmMetrics,
            startupMilliseconds: startupMs, brokenJSON: brokenJSON, seed: seed)
    }

    func run() async throws {
        let logger = Logger.velocity("emulator.openai")
        let emulator = OpenAIEmulator(configuration: emulatorConfiguration, host: host, port: port, logger: logger)
        let group = ServiceGroup(services: [emulator], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let bound = await emulator.waitUntilListening()
            // Ready marker for scripts and the agent's supervisor.
            print("openai emulator ready on http://\(host):\(bound) flavor=\(flavor) model=\(model) slots=\(slots)")
            fflush(nil)
            try await tasks.waitForAll()
        }
    }
}
