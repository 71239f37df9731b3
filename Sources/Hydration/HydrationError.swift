public import VelocityTypes

/// A hydration failure: a stable code, a message an operator can act on, and the cause.
///
/// Messages never hold credentials: signed headers and secrets are not part of any message.
public typealias HydrationError = DomainError<HydrationErrorDomain>

/// The domain of `HydrationError`.
public enum HydrationErrorDomain: ErrorDomain {}

extension VelocityErrorCode {
    /// A manifest is missing, unreadable, or has a bad entry (`ManifestError` names it).
    public static let invalidManifest: Self = "invalid_manifest"
    /// The store's file system has less free space than the missing bytes need.
    public static let insufficientSpace: Self = "insufficient_space"
    /// The bytes fetched do not hash to the manifest's sha256 (after the retries).
    public static let digestMismatch: Self = "digest_mismatch"
    /// A `.safetensors` file whose header is not valid.
    public static let invalidSafetensors: Self = "invalid_safetensors"
    /// The source answered with an error status, or not at all (after the retries).
    public static let sourceFailed: Self = "source_failed"
    /// S3 credentials are missing or malformed.
    public static let credentials: Self = "credentials"
    /// A local file operation failed (permissions, disk full, I/O error).
    public static let io: Self = "io"
    /// Another hydrate or gc holds the store's lock.
    public static let busy: Self = "busy"
    /// `--verify` found blobs whose content does not match their name.
    public static let verifyFailed: Self = "verify_failed"
}

/// A manifest entry that was refused, named by file, index, model name and field.
public struct ManifestError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    /// Index in `models`, nil for a problem with the whole document.
    public var index: Int?
    public var name: String?
    /// The field at fault, e.g. `sha256` or `files[2].size`.
    public var field: String?
    public var reason: String

    public init(file: String, index: Int? = nil, name: String? = nil, field: String? = nil, reason: String) {
        self.file = file
        self.index = index
        self.name = name
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var text = file
        if let index { text += ": models[\(index)]" }
        if let name { text += " (\(name))" }
        if let field { text += ": \(field)" }
        return text + ": " + reason
    }
}
