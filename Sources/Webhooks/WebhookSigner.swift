import Crypto
public import Foundation
public import VelocityTypes

/// Standard Webhooks signatures: `webhook-signature: v1,<base64 HMAC-SHA256 of
/// "{webhook-id}.{webhook-timestamp}.{body}">`, one per secret, space-separated, so a receiver
/// verifies with either of two secrets while one replaces the other.
public enum WebhookSigner {
    /// How far a timestamp may be from the receiver's clock (the specification's 5 minutes).
    public static let tolerance: TimeInterval = 300

    /// The `v1,…` signature of one message with one secret.
    public static func signature(id: String, timestamp: Int, body: [UInt8], secret: WebhookSecret) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message += body
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret.key))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// The `webhook-signature` header value: a signature per secret, space-separated.
    public static func header(id: String, timestamp: Int, body: [UInt8], secrets: [WebhookSecret]) -> String {
        secrets.map { signature(id: id, timestamp: timestamp, body: body, secret: $0) }.joined(separator: " ")
    }

    /// Checks a received message; throws `.webhookVerificationFailed` saying what is wrong.
    public static func verify(
        id: String?, timestamp: String?, signatures: String?, body: [UInt8], secret: WebhookSecret, now: Date = Date()
    ) throws(WebhookError) {
        guard let id, !id.isEmpty else { throw WebhookError(.webhookVerificationFailed, "no webhook-id header") }
        guard let timestamp else { throw WebhookError(.webhookVerificationFailed, "no webhook-timestamp header") }
        guard let seconds = Int(timestamp) else {
            throw WebhookError(.webhookVerificationFailed, "webhook-timestamp '\(timestamp)' is not a number of seconds")
        }
        guard abs(now.timeIntervalSince1970 - TimeInterval(seconds)) <= tolerance else {
            throw WebhookError(
                .webhookVerificationFailed,
                "webhook-timestamp \(seconds) is more than 5 minutes from now (a replay, or a wrong clock)")
        }
        guard let signatures, !signatures.isEmpty else {
            throw WebhookError(.webhookVerificationFailed, "no webhook-signature header")
        }
        let expected = Array(signature(id: id, timestamp: seconds, body: body, secret: secret).utf8)
        let matches = signatures.split(separator: " ").contains { ConstantTime.equal(Array($0.utf8), expected) }
        guard matches else { throw WebhookError(.webhookVerificationFailed, "no signature matches the secret") }
    }
}
