import ArgumentParser

@main
struct VelocityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "velocity",
        abstract: "Velocity Jobs: a Redis-backed job queue with a GPU worker pool.",
        subcommands: [
            DemoCommand.self, WorkerCommand.self, QueuesCommand.self, DoctorCommand.self, BenchCommand.self,
            GatewayCommand.self, KeysCommand.self, SubmitCommand.self, JobsCommand.self, EmulatorCommand.self,
            HydrateCommand.self, AgentCommand.self, ModeCommand.self, GPUCommand.self, WebhooksCommand.self, SchedulesCommand.self,
            DevCommand.self, CRMCommand.self,
        ])
}
