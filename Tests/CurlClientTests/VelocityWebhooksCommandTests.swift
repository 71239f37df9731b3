import Foundation
import TestSupport
import Testing
import Webhooks

/// `velocity webhooks verify`, the receiver's check from the command line.
@Suite("velocity webhooks verify")
struct VelocityWebhooksCommandTests {
    @Test("exit 0 for a genuine webhook; exit 1 naming why for a wrong signature, an old timestamp; no secret is refused")
    func verify() async throws {
        let secret = WebhookSecret.generate()
        let body = Array(#"{"type":"job.succeeded","data":{}}"#.utf8)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-\(UUID()).json")
        try Data(body).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let now = Int(Date().timeIntervalSince1970)
        func run(_ timestamp: Int, _ signature: String, secret text: String? = secret.text) async throws
            -> VelocityBinary.Outcome
        {
            var arguments = [
                "webhooks", "verify", "--id", "msg_1", "--timestamp", String(timestamp), "--signature", signature,
                "--body", file.path,
            ]
            if let text { arguments += ["--secret", text] }
            return try await VelocityCommandLineTests.velocity(arguments, gateway: "http://127.0.0.1:9")
        }
        let good = WebhookSigner.signature(id: "msg_1", timestamp: now, body: body, secret: secret)
        let genuine = try await run(now, good)
        #expect(genuine.status == 0, "\(genuine.stderr)")
        #expect(genuine.stderr.contains("verified"))
        let forged = try await run(now, WebhookSigner.signature(id: "msg_1", timestamp: now, body: body, secret: .generate()))
        #expect(forged.status == 1 && forged.stderr.contains("no signature matches"), "\(forged.stderr)")
        let old = try await run(now - 600, WebhookSigner.signature(id: "msg_1", timestamp: now - 600, body: body, secret: secret))
        #expect(old.status == 1 && old.stderr.contains("more than 5 minutes"), "\(old.stderr)")
        let noSecret = try await run(now, good, secret: nil)
        #expect(noSecret.status != 0 && noSecret.stderr.contains("--secret"), "\(noSecret.stderr)")
    }
}
