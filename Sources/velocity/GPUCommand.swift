import ArgumentParser
import Foundation

/// `velocity gpu drain|undrain N [--box B]`: takes a GPU out of service (its running jobs
/// finish, then its backend stops) or puts it back, through the gateway (operator role).
struct GPUCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gpu",
        abstract: "Drain a GPU of a box, or put a drained one back in service.",
        subcommands: [Drain.self, Undrain.self])

    struct Drain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a GPU out of service: its running jobs finish, then its backend stops.")

        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "The GPU's index on its box.") var index: Int
        @Option(help: "The box (needed when several report to the gateway).") var box: String?
        @Option(help: "Why, for the audit log and /v1/gpus.") var reason: String = "operator drain"

        func validate() throws {
            guard index >= 0 else { throw ValidationError("the GPU index cannot be negative") }
        }

        func run() async throws {
            try await gateway.run { client in
                let box = try await GPUCommand.box(self.box, client: client)
                let body = String(decoding: try JSONEncoder().encode(["reason": reason]), as: UTF8.self)
                let response = try await client.send("POST", "/v1/gpus/\(box)/\(index)/drain", json: body)
                if gateway.json { return Terminal.printJSON(response.body) }
                let answer = try GatewayClient.decode(Answer.self, response)
                Terminal.note("GPU \(index) of \(box) drained: \(answer.drain?.reason ?? reason)")
                if !answer.agent_alive {
                    Terminal.note("warning: the box's agent is not heartbeating; it drains when it is back")
                }
            }
        }
    }

    struct Undrain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a drained GPU back in service (after an operator drain or a fatal Xid).")

        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "The GPU's index on its box.") var index: Int
        @Option(help: "The box (needed when several report to the gateway).") var box: String?

        func validate() throws {
            guard index >= 0 else { throw ValidationError("the GPU index cannot be negative") }
        }

        func run() async throws {
            try await gateway.run { client in
                let box = try await GPUCommand.box(self.box, client: client)
                let response = try await client.send("DELETE", "/v1/gpus/\(box)/\(index)/drain", json: nil)
                if gateway.json { return Terminal.printJSON(response.body) }
                Terminal.note("GPU \(index) of \(box) is back in service")
            }
        }
    }

    struct Answer: Decodable {
        struct Drain: Decodable { var reason: String }
        var drain: Drain?
        var agent_alive: Bool
    }

    /// The named box, else the only one that reports to the gateway.
    static func box(_ named: String?, client: GatewayClient) async throws -> String {
        if let named { return named }
        struct Boxes: Decodable {
            struct Box: Decodable { var box: String }
            var data: [Box]
        }
        let boxes = try GatewayClient.decode(Boxes.self, try await client.get("/v1/gpus")).data.map(\.box)
        guard boxes.count == 1 else {
            throw ValidationError(
                boxes.isEmpty ? "no GPU box reports to this gateway" : "--box is needed: boxes \(boxes.joined(separator: ", "))")
        }
        return boxes[0]
    }
}
