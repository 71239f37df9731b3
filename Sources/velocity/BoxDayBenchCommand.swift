import ArgumentParser
import BlobStore
import Broker
import CurlClient
import Emulators
import Foundation
import GPUBox
import Gateway
import JobContracts
import Logging
import PlatformStore
import ServiceLifecycle
import VelocityTypes
import Workers

/// Our side of `bench/run box-day`: one policy (fixed media, llm or split, or the autopilot) runs
/// a compressed day of demand (`BoxDayPlan`) on an agent with emulated GPUs, real media workers
/// and the LLM dispatcher; the batches' lines run as backfill and are promoted as their windows
/// near (`BatchWindow`, as the gateway's coordinator does). Prints one JSON line: renders' wait
/// p95, batch lines inside their windows, GPU-seconds idle while work waited, switches made.
struct BoxDayBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "box-day", abstract: "Run a compressed day of demand on an emulated box under one policy.",
        shouldDisplay: false)

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "media, llm or split (a fixed mode), or autopilot (starts in media).")
    var policy = "autopilot"

    @Option(help: "Emulated GPUs.")
    var gpus = 4

    @Option(help: "Seconds the day is compressed into.")
    var daySeconds = 150.0

    @Option(help: "Seconds one emulated render takes.")
    var renderSeconds = 2.0

    @Option(help: "Renders per second outside the lunchtime peak (3× over it).")
    var renderRate = 0.8

    @Option(help: "Lines of the morning batch and of the late batch.")
    var batchLines = "400,350"

    @Option(help: "Decode speed of the LLM server per GPU, tokens per second (lines ask for 16 tokens).")
    var tokensPerSecondPerGPU = 64.0

    @Option(help: "Seed of the day's arrivals.")
    var seed: UInt64 = 7

    @Option(help: "Scratch directory.")
    var workDirectory = "/tmp/velocity-bench-box-day"

    static let lineTokens = 16

    func validate() throws {
        guard BoxMode(rawValue: policy) != nil || policy == "autopilot" else {
            throw ValidationError("--policy is media, llm, split or autopilot")
        }
        guard gpus >= 2, daySeconds >= 30, renderSeconds > 0, renderRate > 0, tokensPerSecondPerGPU > 0 else {
            throw ValidationError("--gpus must be at least 2, --day-seconds at least 30, the rates positive")
        }
        guard lines.count == 2 else { throw ValidationError("--batch-lines is two positive counts: morning,late") }
    }

    var lines: [Int] { batchLines.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 } }

    func run() async throws {
        var logger = Logger.velocity("bench")
        logger.logLevel = .warning
        guard let postgresURL = connection.resolvedPostgresURL else { throw ValidationError("--postgres-url is required") }
        let plan = BoxDayPlan.make(
            day: daySeconds, renderRate: renderRate, peakFactor: 3, morningLines: lines[0], lateLines: lines[1], seed: seed)
        let box = "day-\(policy)-\(UUID().uuidString.prefix(6).lowercased())"
        let rig = try await BoxDayRig.make(
            box: box, policy: policy, gpus: gpus, renderSeconds: renderSeconds, tokensPerSecondPerGPU: tokensPerSecondPerGPU,
            lineTokens: Self.lineTokens, workDirectory: workDirectory, connection: connection, postgresURL: postgresURL,
            logger: logger)
        let outcome = try await rig.run(plan, daySeconds: daySeconds, seed: seed)
        var line = outcome.json
        line["policy"] = policy
        line["day_seconds"] = daySeconds
        line["gpus"] = gpus
        line["render_seconds"] = renderSeconds
        line["renders"] = plan.renders.count
        line["seed"] = seed
        let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}
