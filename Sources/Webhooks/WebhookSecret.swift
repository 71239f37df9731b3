import Crypto
public import Foundation

/// A Standard Webhooks signing secret: `whsec_` and the base64 of the HMAC key's bytes.
public struct WebhookSecret: Sendable, Equatable, CustomStringConvertible {
    public static let prefix = "whsec_"
    /// The HMAC-SHA256 key.
    public let key: [UInt8]

    /// Reads `whsec_<base64>` (or the bare base64, as the reference libraries accept).
    public init(_ text: String) throws(WebhookError) {
        let encoded = text.hasPrefix(Self.prefix) ? String(text.dropFirst(Self.prefix.count)) : text
        guard let data = Data(base64Encoded: encoded), data.count >= 16 else {
            throw WebhookError(.webhookSecretInvalid, "a webhook secret is whsec_ followed by base64 of at least 16 bytes")
        }
        key = [UInt8](data)
    }

    init(key: [UInt8]) {
        self.key = key
    }

    /// A new random secret of 32 bytes.
    public static func generate() -> WebhookSecret {
        WebhookSecret(key: SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) })
    }

    /// `whsec_<base64>`, what the tenant stores and verifies with.
    public var text: String { Self.prefix + Data(key).base64EncodedString() }

    /// Never the key itself: a secret may be interpolated into a log line by mistake.
    public var description: String { "whsec_<redacted>" }
}
