import ArgumentParser
import Foundation
import Webhooks

/// `velocity webhooks verify`: checks a received webhook against the tenant's secret, as a
/// receiver must, for debugging a receiver or a shell script that consumes webhooks.
struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Verify a webhook the way a receiver must (Standard Webhooks).",
        subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a webhook's signature and timestamp; exit 0 if it is genuine.",
            discussion: """
                Pass the three headers as received and the raw body (a file, or - for standard input). The \
                secret is the tenant's whsec_… (POST /v1/webhooks/secrets shows it once), or \
                $VELOCITY_WEBHOOK_SECRET. The timestamp must be within 5 minutes of this machine's clock.
                """)

        @Option(help: "The signing secret, whsec_… (default: $VELOCITY_WEBHOOK_SECRET).") var secret: String?
        @Option(name: .customLong("id"), help: "The webhook-id header.") var id: String
        @Option(help: "The webhook-timestamp header.") var timestamp: String
        @Option(help: "The webhook-signature header (one or more v1,… separated by spaces).") var signature: String
        @Option(help: "The raw body: a file, or - for standard input.") var body: String = "-"

        func run() throws {
            guard let text = secret ?? ProcessInfo.processInfo.environment["VELOCITY_WEBHOOK_SECRET"] else {
                throw ValidationError("give --secret or set VELOCITY_WEBHOOK_SECRET")
            }
            let bytes: [UInt8]
            if body == "-" {
                bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
            } else {
                guard let data = FileManager.default.contents(atPath: body) else {
                    throw ValidationError("cannot read the body file \(body)")
                }
                bytes = [UInt8](data)
            }
            do {
                let key = try WebhookSecret(text)
                try WebhookSigner.verify(id: id, timestamp: timestamp, signatures: signature, body: bytes, secret: key)
            } catch {
                Terminal.error("\(error.code): \(error.message)")
                throw ExitCode.failure
            }
            Terminal.note("verified: webhook \(id) is signed with this secret")
        }
    }
}
