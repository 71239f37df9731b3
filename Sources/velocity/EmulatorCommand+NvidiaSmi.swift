import ArgumentParser
import Emulators
import Foundation

/// `velocity emulator nvidia-smi [nvidia-smi arguments]`: the fake `nvidia-smi`. The agent's
/// nvidia-smi command can be set to `velocity emulator nvidia-smi` unchanged.
struct NvidiaSmiEmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nvidia-smi",
        abstract: "Answer nvidia-smi queries from a JSON state file (VELOCITY_FAKE_GPU_STATE) or for N idle L4s.",
        discussion: """
            Understands `--query-gpu=FIELDS --format=csv[,noheader][,nounits]` and `-L`. The state file
            holds {"gpus": [{"index", "uuid", "name", "memory_total_mib", "memory_used_mib",
            "utilization_percent", "temperature_celsius", "uncorrected_ecc_errors", "lost"}],
            "driver_failure"}; edit it to inject faults.
            """)

    @Option(help: "The state file (default: $VELOCITY_FAKE_GPU_STATE).")
    var state: String?

    @Option(help: "GPUs to report without a state file (default: $VELOCITY_FAKE_GPU_COUNT or 4).")
    var count: Int?

    @Argument(parsing: .allUnrecognized, help: "nvidia-smi's own arguments.")
    var arguments: [String] = []

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let count = count ?? environment["VELOCITY_FAKE_GPU_COUNT"].flatMap(Int.init) ?? 4
        let fake = try FakeNvidiaSmi.load(statePath: state ?? environment["VELOCITY_FAKE_GPU_STATE"], defaultCount: count)
        let output = fake.run(arguments)
        FileHandle.standardOutput.write(Data(output.standardOutput.utf8))
        FileHandle.standardError.write(Data(output.standardError.utf8))
        if output.status != 0 { throw ExitCode(output.status) }
    }
}
