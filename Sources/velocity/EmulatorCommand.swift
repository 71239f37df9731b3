import ArgumentParser

/// `velocity emulator …`: protocol-faithful stand-ins for the GPU box's backends, for
/// development and tests on machines without GPUs.
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run an emulated GPU backend (ComfyUI, an OpenAI-compatible server, nvidia-smi).",
        subcommands: [
            NvidiaSmiEmulatorCommand.self, OpenAIEmulatorCommand.self, ComfyUIEmulatorCommand.self,
        ])
}
