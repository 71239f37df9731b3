import ArgumentParser
import CurlClient
import Foundation
import Hydration
import Synchronization
import VelocityTypes

extension HydrateCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Stage a mode's models (the default: `velocity hydrate --mode media`).")

        @OptionGroup var store: HydrateStoreOptions
        @Option(help: "media, llm or split (the manifest <mode>.yaml).") var mode: String
        @Flag(help: "Re-hash the blobs already in the store; fetch again any that do not match.") var verify = false
        @Option(help: "Files downloaded at once.") var parallelFiles = 2
        @Option(help: "Byte ranges of one file downloaded at once.") var ranges = 4
        @Option(help: "Size of one range request in MiB (also the resume granularity).") var chunkMib = 64
        @Option(help: .hidden) var hashing: String?

        func validate() throws {
            guard !mode.isEmpty, mode.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw ValidationError("--mode must be a manifest name such as media, llm or split")
            }
            guard parallelFiles >= 1, ranges >= 1, chunkMib >= 1 else {
                throw ValidationError("--parallel-files, --ranges and --chunk-mib must be at least 1")
            }
            guard hashing.map({ HydrationConfiguration.Hashing(rawValue: $0) != nil }) ?? true else {
                throw ValidationError("--hashing must be overlapped or after-download")
            }
        }

        func run() async throws {
            var configuration = store.configuration()
            configuration.verify = verify
            configuration.parallelFiles = parallelFiles
            configuration.rangesPerFile = ranges
            configuration.chunkBytes = Int64(chunkMib) << 20
            if let hashing, let strategy = HydrationConfiguration.Hashing(rawValue: hashing) { configuration.hashing = strategy }
            let display = HydrationDisplay(bar: ProgressBar(enabled: !store.json))
            let report: HydrationReport
            do {
                report = try await Hydrator.withHydrator(configuration) { hydrator in
                    try await hydrator.hydrate(mode: mode) { display.show($0) }
                }
                display.finish()
            } catch {
                display.finish()
                throw HydrateCommand.fail(error, json: store.json)
            }
            if store.json { return try HydrateCommand.printJSON(report) }
            for model in report.models {
                print(
                    "\(model.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) \(model.name) → \(model.destination) (\(HydrateCommand.bytes(model.bytes)))"
                )
            }
            for name in report.repairedModels { print("repaired (blob did not match its digest): \(name)") }
            let rate = report.elapsedSeconds > 0 ? Double(report.fetchedBytes) / report.elapsedSeconds : 0
            print(
                "fetched \(HydrateCommand.bytes(report.fetchedBytes)) in \(String(format: "%.1f", report.elapsedSeconds))s (\(HydrateCommand.bytes(Int64(rate)))/s)"
            )
            print("snapshot: \(report.snapshotDirectory) -> \(report.snapshotTarget)")
            print("comfyui:  --extra-model-paths-config \(report.extraModelPathsFile)")
            if let llm = report.llmModelPath { print("llm:      --model-path \(llm)") }
        }
    }
}

/// Draws hydration progress (from transfer threads) on the one-line bar: done/total,
/// throughput since the phase began, and the ETA.
final class HydrationDisplay: Sendable {
    private struct State: ~Copyable {
        var bar: ProgressBar
        var phase: HydrationProgress.Phase?
        var phaseStart = ContinuousClock.now
    }

    private let state: Mutex<State>

    init(bar: sending ProgressBar) { state = Mutex(State(bar: bar)) }

    func show(_ progress: HydrationProgress) {
        state.withLock { state in
            if state.phase != progress.phase {
                state.phase = progress.phase
                state.phaseStart = .now
            }
            let elapsed = ContinuousClock.now - state.phaseStart
            let seconds = elapsed.inSeconds
            var parts = ["\(HydrateCommand.bytes(progress.completedBytes)) / \(HydrateCommand.bytes(progress.totalBytes))"]
            if progress.totalFiles > 0 { parts.append("\(progress.completedFiles)/\(progress.totalFiles) files") }
            if seconds > 0.5, progress.completedBytes > 0 {
                let rate = Double(progress.completedBytes) / seconds
                parts.append("\(HydrateCommand.bytes(Int64(rate)))/s")
                let left = Double(max(0, progress.totalBytes - progress.completedBytes)) / rate
                parts.append("ETA \(ProgressLine.duration(left))")
            }
            if !progress.activeModels.isEmpty { parts.append(progress.activeModels.joined(separator: ", ")) }
            state.bar.update(
                fraction: progress.fraction, status: progress.phase.rawValue, message: parts.joined(separator: " · "))
        }
    }

    func finish() { state.withLock { $0.bar.finish() } }
}
