import ArgumentParser
import CurlClient
import Foundation

extension SubmitCommand {
    /// `POST /dream-weaver`: a room photo to stage, then optionally poll and fetch the render.
    struct DreamWeaver: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dream-weaver",
            abstract: "Upload a room photo for virtual staging; with --wait, poll and save the staged PNG.")

        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Room photo: PNG, JPEG or WebP.") var image: String
        @Option(help: "Room type, e.g. living_room.") var room: String
        @Option(help: "Style keywords, e.g. \"warm scandinavian\".") var style: String
        @Option(help: "Seed, for a repeatable render.") var seed: Int?
        @Flag(help: "Poll until the render ends and save it; exit 0 only if it succeeded.") var wait = false
        @Option(name: [.short, .customLong("output")], help: "Where to save the render (default: <image>.staged.png).")
        var output: String?

        struct Accepted: Decodable {
            var job_id: String
            var status: String
            var status_url: String?
            var result_url: String?
        }

        func validate() throws {
            guard FileManager.default.isReadableFile(atPath: image) else {
                throw ValidationError("cannot read \(image)")
            }
        }

        var outputPath: String {
            if let output { return output }
            let url = URL(fileURLWithPath: image)
            return url.deletingPathExtension().path + ".staged.png"
        }

        func run() async throws {
            var succeeded = true
            try await gateway.run { client in
                var form = MultipartForm()
                let filename = URL(fileURLWithPath: image).lastPathComponent
                form.addFile("image", path: image, filename: filename, contentType: MultipartForm.contentType(forFilename: filename))
                form.addField("room_type", room)
                form.addField("style", style)
                if let seed { form.addField("seed", String(seed)) }
                let response = try await client.upload("/dream-weaver", form: form)
                let accepted = try GatewayClient.decode(Accepted.self, response)
                guard wait else {
                    if gateway.json { Terminal.printJSON(response.body) } else { print("\(accepted.job_id) \(accepted.status)") }
                    return
                }
                if !gateway.json { Terminal.note("submitted \(accepted.job_id)") }
                let statusPath = accepted.status_url ?? "/dream-weaver/status/\(GatewayClient.escape(accepted.job_id))"
                let resultPath = accepted.result_url ?? "/dream-weaver/result/\(GatewayClient.escape(accepted.job_id))"
                let bar = ProgressBar(enabled: !gateway.json)
                var final: JobStatusView
                var finalBody: [UInt8]
                repeat {
                    let statusResponse = try await client.get(statusPath)
                    final = try GatewayClient.decode(JobStatusView.self, statusResponse)
                    finalBody = statusResponse.body
                    final.show(on: bar)
                    if !final.isTerminal { try await Task.sleep(for: .milliseconds(500)) }
                } while !final.isTerminal
                bar.finish()
                succeeded = final.status == "succeeded"
                if succeeded { try await client.download(resultPath, to: outputPath) }
                if gateway.json {
                    Terminal.printJSON(finalBody)
                } else if succeeded {
                    print(outputPath)
                } else {
                    Terminal.note("job \(accepted.job_id) \(final.status)")
                    if let error = final.error { Terminal.error("\(error.code): \(error.message ?? "")") }
                }
            }
            if !succeeded { throw ExitCode.failure }
        }
    }
}
