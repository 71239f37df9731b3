import ArgumentParser
import Emulators
import Foundation
import Logging
import ServiceLifecycle

/// `velocity emulator openai`: an OpenAI-compatible LLM server with a capacity model (SGLang's
/// API, metrics and error shapes by default), for development, tests and benchmarks.
struct OpenAIEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openai",
        abstract: "Run an emulated OpenAI-compatible LLM server (SGLang's routes and /metrics) with a capacity model.",
        discussion: """
            Requests hold one of --slots decode slots for --prefill-ms plus one decode step per token at
            --tokens-per-second; past the slots they queue first come first served, as /metrics shows.
            Capacity for max_tokens M: slots / (prefill + M / tokens-per-second) requests per second
            (GET /emulator/capacity?max_tokens=M). Faults: POST /emulator/faults {"status":429,"count":2},
            {"delay_ms":500}, {"drop":true}; DELETE /emulator/faults.
            """)

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port; the ready line says which).")
    var port: Int = 30000

    @Option(help: "Served model name.")
    var model: String = "emulated-model"

    @Option(help: "Requests decoded at once; more wait in a FIFO queue.")
    var slots: Int = 8

    @Option(help: "Decode speed of one request, tokens per second.")
    var tokensPerSecond: Double = 100

    @Option(help: "Time before a request's first token, in its slot (milliseconds).")
    var prefillMs: Double = 20

    @Option(help: "max_tokens of a request that names none.")
    var defaultMaxTokens: Int = 128

    @Option(help: "Context window: prompt plus completion tokens.")
    var contextLength: Int = 32_768

    @Flag(help: "Answer 404 for a model name other than --model (as vLLM does).")
    var strictModel = false

    @Option(help: "Error body shape: sglang (flat) or openai (nested).")
    var errorStyle: String = "sglang"

    @Flag(help: "Also expose vLLM's gauge names on /metrics.")
    var vllmMetrics = false

    @Option(help: "/health answers 503 for this long after start (milliseconds), like a server loading weights.")
    var startupMs: Int = 0

    func validate() throws {
        guard slots >= 1 else { throw ValidationError("--slots must be at least 1") }
        guard tokensPerSecond > 0 else { throw ValidationError("--tokens-per-second must be positive") }
        guard prefillMs >= 0 else { throw ValidationError("--prefill-ms must not be negative") }
        guard OpenAIEmulatorConfiguration.ErrorStyle(rawValue: errorStyle) != nil else {
            throw ValidationError("--error-style must be sglang or openai")
        }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard defaultMaxTokens >= 1, contextLength > defaultMaxTokens else {
            throw ValidationError("--default-max-tokens must be at least 1 and below --context-length")
        }
    }

    func run() async throws {
        let logger = Logger.velocity("emulator.openai")
        let emulator = OpenAIEmulator(
            configuration: OpenAIEmulatorConfiguration(
                model: model, slots: slots, tokensPerSecond: tokensPerSecond, prefillMilliseconds: prefillMs,
                defaultMaxTokens: defaultMaxTokens, contextLength: contextLength, strictModel: strictModel,
                errorStyle: OpenAIEmulatorConfiguration.ErrorStyle(rawValue: errorStyle) ?? .sglang, vllmMetrics: vllmMetrics, startupMilliseconds: startupMs),
            host: host, port: port, logger: logger)
        let group = ServiceGroup(services: [emulator], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let bound = await emulator.waitUntilListening()
            // Ready marker for scripts and the agent's supervisor.
            print("openai emulator ready on http://\(host):\(bound) model=\(model) slots=\(slots)")
            fflush(nil)
            try await tasks.waitForAll()
        }
    }
}
