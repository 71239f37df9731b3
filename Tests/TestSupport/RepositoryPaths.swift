import Foundation

/// Paths inside the repository, for tests that read its shipped files.
public enum RepositoryPaths {
    /// The package root, from this file's path (Tests/TestSupport/<file>).
    public static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }
}
