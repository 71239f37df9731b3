import Foundation

/// A stand-in for `nvidia-smi` on machines without NVIDIA GPUs: the box agent runs it exactly
/// as it runs the real one, and tests inject faults by editing its state file.
///
/// It answers the subset of the real command line the project uses: `--query-gpu=<fields>`
/// with `--format=csv[,noheader][,nounits]`, and `-L`. The GPUs come from a JSON state file
/// (`FakeNvidiaSmi.State`); without one it reports `defaultCount` NVIDIA L4s.
public struct FakeNvidiaSmi: Sendable {
    /// What the fake reports; tests write it to inject faults.
    public struct State: Codable, Sendable, Equatable {
        public var gpus: [FakeGPU]
        /// Every call fails as nvidia-smi does without a driver.
        public var driverFailure: Bool

        public init(gpus: [FakeGPU], driverFailure: Bool = false) {
            self.gpus = gpus
            self.driverFailure = driverFailure
        }

        /// `count` idle NVIDIA L4s with stable uuids.
        public static func l4s(_ count: Int) -> State {
            State(gpus: (0..<count).map { FakeGPU.l4(index: $0) })
        }

        enum CodingKeys: String, CodingKey {
            case gpus
            case driverFailure = "driver_failure"
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            gpus = try container.decode([FakeGPU].self, forKey: .gpus)
            driverFailure = try container.decodeIfPresent(Bool.self, forKey: .driverFailure) ?? false
        }
    }

    /// The exit status and output of one invocation.
    public struct Output: Sendable, Equatable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    public var state: State

    public init(state: State) {
        self.state = state
    }

    /// Loads the state file, or `defaultCount` L4s when `path` is nil.
    public static func load(statePath: String?, defaultCount: Int = 4) throws -> FakeNvidiaSmi {
        guard let statePath else { return FakeNvidiaSmi(state: .l4s(defaultCount)) }
        let data = try Data(contentsOf: URL(fileURLWithPath: statePath))
        return FakeNvidiaSmi(state: try JSONDecoder().decode(State.self, from: data))
    }

    /// Writes a state file atomically, so a concurrent reader never sees half of it.
    public static func write(_ state: State, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(state).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Runs one command line (without the executable name).
    public func run(_ arguments: [String]) -> Output {
        if state.driverFailure {
            return Output(
                status: 9, standardOutput: "",
                standardError: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
                    + "Make sure that the latest NVIDIA driver is installed and running.\n")
        }
        if arguments == ["-L"] || arguments == ["--list-gpus"] {
            let lines = state.gpus.map { "GPU \($0.index): \($0.name) (UUID: \($0.uuid))\n" }
            return Output(status: 0, standardOutput: lines.joined(), standardError: "")
        }
        var fields: [String]?
        var format: Set<String> = []
        for argument in arguments {
            if argument.hasPrefix("--query-gpu=") {
                fields = argument.dropFirst("--query-gpu=".count).split(separator: ",").map(String.init)
            } else if argument.hasPrefix("--format=") {
                format = Set(argument.dropFirst("--format=".count).split(separator: ",").map(String.init))
            } else {
                return usageError("Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.")
            }
        }
        guard let fields, !fields.isEmpty, format.contains("csv") else {
            return usageError("Invalid combination of input arguments. Please run 'nvidia-smi -h' for help.")
        }
        if let unknown = fields.first(where: { FakeGPU.header(for: $0, units: true) == nil }) {
            return usageError("Field \"\(unknown)\" is not a valid field to query.")
        }
        let units = !format.contains("nounits")
        var lines: [String] = []
        if !format.contains("noheader") {
            lines.append(fields.compactMap { FakeGPU.header(for: $0, units: units) }.joined(separator: ", "))
        }
        var errors = ""
        for gpu in state.gpus {
            if gpu.lost {
                // What the real tool prints for a GPU that fell off the bus.
                errors += "Unable to determine the device handle for GPU \(gpu.pciBusID): GPU is lost.  "
                    + "Reboot the system to recover this GPU\n"
                continue
            }
            lines.append(fields.map { gpu.value(for: $0, units: units) }.joined(separator: ", "))
        }
        let status: Int32 = state.gpus.contains(where: \.lost) ? 15 : 0
        return Output(status: status, standardOutput: lines.map { $0 + "\n" }.joined(), standardError: errors)
    }

    private func usageError(_ message: String) -> Output {
        Output(status: 2, standardOutput: "", standardError: message + "\n")
    }
}
