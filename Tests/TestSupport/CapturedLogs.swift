public import Logging
import Synchronization

/// Collects every log line (with metadata) a `Logger` writes.
public final class CapturedLogs: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init() {}

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(
        level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
        function: String, line: UInt
    ) {
        let all = self.metadata.merging(metadata ?? [:]) { $1 }
        lines.withLock { $0.append("\(level) \(message) \(all)") }
    }

    public var text: String { lines.withLock { $0.joined(separator: "\n") } }
}
