import ArgumentParser
import Foundation
import Hydration
import Logging

/// `velocity hydrate`: stages a mode's models on the NVMe store (the default subcommand), or
/// collects garbage, or verifies what is there.
struct HydrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hydrate",
        abstract: "Stage a mode's models on the NVMe store, verified, behind an atomically switched snapshot.",
        subcommands: [Run.self, GC.self, Verify.self],
        defaultSubcommand: Run.self)
}

/// Where the store and the manifests are.
struct HydrateStoreOptions: ParsableArguments {
    @Option(help: "The NVMe store root (default: $VELOCITY_MODEL_ROOT or /var/lib/velocity/models).")
    var root: String?

    @Option(help: "Directory of media.yaml, llm.yaml, split.yaml (default: $VELOCITY_HYDRATION_MANIFESTS or ./hydration).")
    var manifests: String?

    @Flag(help: "Print the result as JSON on stdout; no progress bar.")
    var json = false

    func configuration() -> HydrationConfiguration {
        let environment = ProcessInfo.processInfo.environment
        var logger = Logger(label: "velocity.hydrate")
        logger.logLevel = json ? .error : .warning
        return HydrationConfiguration(
            root: root ?? environment["VELOCITY_MODEL_ROOT"] ?? "/var/lib/velocity/models",
            manifestDirectory: manifests ?? environment["VELOCITY_HYDRATION_MANIFESTS"] ?? "hydration",
            environment: environment, logger: logger)
    }
}

extension HydrateCommand {
    static func printJSON<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    /// Errors print as `error: <code>: <message>` and exit 1 (2 for a bad manifest).
    static func fail(_ error: any Error, json: Bool) -> ExitCode {
        let hydration = error as? HydrationError
        if json {
            let body = ["error": ["code": hydration?.code.rawValue ?? "internal", "message": hydration?.message ?? "\(error)"]]
            try? printJSON(body)
        } else {
            Terminal.error(hydration.map { "\($0.code): \($0.message)" } ?? "\(error)")
        }
        return ExitCode(hydration?.code == .invalidManifest ? 2 : 1)
    }

    struct GC: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gc",
            abstract: "Remove blobs no manifest or live snapshot references, stale .incomplete files and old snapshot builds.")

        @OptionGroup var store: HydrateStoreOptions

        func run() async throws {
            do {
                let report = try await Hydrator.withHydrator(store.configuration()) { try await $0.collectGarbage() }
                if store.json { return try HydrateCommand.printJSON(report) }
                for blob in report.removedBlobs { print("removed blob \(blob)") }
                for file in report.removedIncomplete { print("removed partial download \(file)") }
                for build in report.removedSnapshots { print("removed snapshot build \(build)") }
                print("kept \(report.keptBlobs) blobs; freed \(HydrateCommand.bytes(report.freedBytes))")
            } catch {
                throw HydrateCommand.fail(error, json: store.json)
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify", abstract: "Re-hash a mode's blobs and report missing or tampered ones; changes nothing.")

        @OptionGroup var store: HydrateStoreOptions
        @Option(help: "media, llm or split.") var mode: String

        func run() async throws {
            let report: VerifyReport
            do {
                report = try await Hydrator.withHydrator(store.configuration()) { try await $0.verify(mode: mode) }
            } catch {
                throw HydrateCommand.fail(error, json: store.json)
            }
            if store.json {
                try HydrateCommand.printJSON(report)
            } else {
                for line in report.missing { print("missing: \(line)") }
                for line in report.mismatched { print("TAMPERED: \(line)") }
                print("\(report.checkedBlobs) blobs checked: \(report.isHealthy ? "healthy" : "NOT healthy")")
            }
            if !report.isHealthy { throw ExitCode(1) }
        }
    }

    /// `6.46 GiB`.
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.2f %@", value, units[unit])
    }
}
