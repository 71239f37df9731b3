import ArgumentParser

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Benchmarks (run through bench/run, side by side with the peers).",
        subcommands: [
            BrokerBenchCommand.self, DrainBenchCommand.self, FairnessBenchCommand.self, LLMBenchCommand.self,
            LLMJobsBenchCommand.self, GPUPoolBenchCommand.self, ModeSwitchBenchCommand.self, BoxDayBenchCommand.self,
        ])
}
