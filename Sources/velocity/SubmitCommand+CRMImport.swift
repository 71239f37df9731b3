import ArgumentParser
import CurlClient
import Foundation

extension SubmitCommand {
    /// `POST /api/crm/imports`: a CRM export to import; with --wait, follow it until its
    /// proposals are ready for review (or it waits for a mapping, or fails).
    struct CRMImport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "crm-import",
            abstract: "Upload a CRM CSV export (HubSpot, Salesforce, Zoho or your own sheet) for import and review.")

        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "The CSV file.") var file: String
        @Option(help: "Source profile: hubspot, salesforce, zoho or generic (default: detected from the header).")
        var profile: String?
        @Option(help: "Region of phone numbers written without a country code (default IN).") var region: String?
        @Option(help: "Low-risk rule approving proposals without review: none or new_without_candidates.")
        var autoApprove: String?
        @Option(help: "Idempotency key: a repeat with the same key returns the same batch.") var idempotencyKey: String?
        @Flag(help: "Follow the import until its proposals are ready; exit 0 only if it got there.") var wait = false

        func validate() throws {
            guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("cannot read \(file)") }
        }

        func run() async throws {
            var succeeded = true
            try await gateway.run { client in
                var form = MultipartForm()
                let filename = URL(fileURLWithPath: file).lastPathComponent
                form.addFile("file", path: file, filename: filename, contentType: "text/csv")
                if let profile { form.addField("source_profile", profile) }
                if let region { form.addField("default_region", region) }
                if let autoApprove { form.addField("auto_approve", autoApprove) }
                let response = try await client.upload(
                    "/api/crm/imports", form: form, idempotencyKey: idempotencyKey ?? "")
                let accepted = try GatewayClient.decode(CRMImportStatus.self, response)
                guard wait else {
                    if gateway.json { Terminal.printJSON(response.body) } else { print("\(accepted.id) \(accepted.summary)") }
                    return
                }
                if !gateway.json { Terminal.note("import batch \(accepted.id)") }
                let bar = ProgressBar(enabled: !gateway.json)
                let (final, body) = try await client.waitForImport(accepted.id, bar: bar)
                bar.finish()
                succeeded = final.status == "in_review" || final.status == "committed"
                if gateway.json {
                    Terminal.printJSON(body)
                } else {
                    print("\(final.id) \(final.summary)")
                    if final.status == "awaiting_mapping" {
                        Terminal.note(
                            "some columns are unresolved: map them with PUT /api/crm/imports/\(final.id)/review-proposal "
                                + "(see `velocity crm imports show \(final.id)`)")
                    }
                }
            }
            if !succeeded { throw ExitCode.failure }
        }
    }
}
