import Foundation

/// The one rule for blob keys, kept by every store: a relative path of `[A-Za-z0-9._-]`
/// segments, none empty or starting with `.`, at most 512 bytes. Never `..`, hidden or absolute,
/// so a key can name a file under a root, or an object under a prefix, and nothing else.
public enum BlobKey {
    /// Throws `.blobInvalidKey` for a key outside the rule.
    public static func validate(_ key: String) throws {
        let segments = key.split(separator: "/", omittingEmptySubsequences: false)
        let safe =
            !key.isEmpty && key.utf8.count <= 512
            && segments.allSatisfy { segment in
                !segment.isEmpty && !segment.hasPrefix(".")
                    && segment.unicodeScalars.allSatisfy {
                        ($0.isASCII && CharacterSet.alphanumerics.contains($0)) || "-_.".unicodeScalars.contains($0)
                    }
            }
        guard safe else { throw BlobStoreError(.blobInvalidKey, "invalid blob key '\(key)'") }
    }
}
