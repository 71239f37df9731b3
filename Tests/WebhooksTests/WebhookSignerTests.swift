import Foundation
import Testing
import Webhooks

/// The Standard Webhooks reference vectors (standard-webhooks/libraries' own tests).
@Suite("Webhook signatures (Standard Webhooks)")
struct WebhookSignerTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let body = Array(#"{"test": 2432232314}"#.utf8)

    @Test("the reference vector: signing gives the published signature")
    func referenceSignature() throws {
        let signature = WebhookSigner.signature(
            id: Self.id, timestamp: 1_614_265_330, body: Self.body, secret: try WebhookSecret(Self.secret))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test("verify: valid with and without the whsec_ prefix, and among several signatures")
    func verifies() throws {
        let now = Date()
        let timestamp = Int(now.timeIntervalSince1970)
        let good = WebhookSigner.signature(
            id: Self.id, timestamp: timestamp, body: Self.body, secret: try WebhookSecret(Self.secret))
        for secret in [Self.secret, String(Self.secret.dropFirst(6))] {
            try WebhookSigner.verify(
                id: Self.id, timestamp: String(timestamp), signatures: good, body: Self.body, secret: try WebhookSecret(secret),
                now: now)
        }
        let several = [
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=", "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=", good,
        ]
        .joined(separator: " ")
        try WebhookSigner.verify(
            id: Self.id, timestamp: String(timestamp), signatures: several, body: Self.body,
            secret: try WebhookSecret(Self.secret),
            now: now)
    }

    @Test("refused: a wrong signature, a changed body, missing headers, a bad, old or future timestamp")
    func refusals() throws {
        let now = Date()
        let timestamp = Int(now.timeIntervalSince1970)
        let secret = try WebhookSecret(Self.secret)
        let good = WebhookSigner.signature(id: Self.id, timestamp: timestamp, body: Self.body, secret: secret)
        func refused(
            id: String? = Self.id, timestamp stamp: String? = nil, signatures: String? = nil, body: [UInt8] = Self.body,
            _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation
        ) {
            let error = #expect(throws: WebhookError.self, sourceLocation: sourceLocation) {
                try WebhookSigner.verify(
                    id: id, timestamp: stamp ?? String(timestamp), signatures: signatures ?? good, body: body, secret: secret,
                    now: now)
            }
            #expect(error?.code == .webhookVerificationFailed, sourceLocation: sourceLocation)
            #expect(error?.message.contains(fragment) == true, "\(String(describing: error))", sourceLocation: sourceLocation)
        }
        refused(signatures: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", "no signature matches")
        refused(body: Array(#"{"test": 2432232315}"#.utf8), "no signature matches")
        refused(id: nil, "no webhook-id")
        refused(signatures: "", "no webhook-signature")
        refused(timestamp: "hello", "not a number")
        refused(timestamp: String(timestamp - 301), "more than 5 minutes")
        refused(timestamp: String(timestamp + 301), "more than 5 minutes")
        #expect(throws: WebhookError.self) { try WebhookSecret("whsec_not base64!") }
        #expect(throws: WebhookError.self) { try WebhookSecret("whsec_c2hvcnQ=") }
    }

    @Test("generated secrets are whsec_ with 32 random bytes, and never print their key")
    func generated() throws {
        let a = WebhookSecret.generate()
        let b = WebhookSecret.generate()
        #expect(a != b && a.key.count == 32)
        #expect(try WebhookSecret(a.text) == a)
        #expect("\(a)" == "whsec_<redacted>")
    }
}
