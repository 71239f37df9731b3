public import VelocityTypes

/// A webhook that cannot be signed, verified, or sent where it points.
public typealias WebhookError = DomainError<WebhookErrorDomain>

/// The domain of `WebhookError`.
public enum WebhookErrorDomain: ErrorDomain {}

extension VelocityErrorCode {
    /// A secret that is not `whsec_` followed by base64 of at least 24 bytes.
    public static let webhookSecretInvalid: Self = "webhook_secret_invalid"
    /// The signature headers are missing, malformed, too old or too new, or match no secret.
    public static let webhookVerificationFailed: Self = "webhook_verification_failed"
    /// The destination URL is not an absolute http(s) URL without credentials.
    public static let webhookURLInvalid: Self = "webhook_url_invalid"
    /// The destination resolves to loopback, link-local, private or other internal addresses.
    public static let webhookDestinationRefused: Self = "webhook_destination_refused"
}
