import ArgumentParser

/// Sends work to a running gateway over HTTP.
struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit", abstract: "Submit work to the gateway.",
        subcommands: [Job.self, DreamWeaver.self, LLMBatch.self, QDScore.self, Synthetic.self, CRMImport.self])
}
