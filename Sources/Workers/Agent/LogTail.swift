import Foundation

/// The last lines of a log file: what a backend printed before it died, for the agent's log
/// line and the GPU's status (`Address already in use`, a traceback's last line, a CUDA error).
public enum LogTail {
    /// Up to `count` last non-empty lines of the file at `path` written past `offset` (a log
    /// that outlives its process's incarnations: only the last one's), read from its last
    /// `maxBytes` (a huge log costs no more than that); empty when it cannot be read.
    /// The file's size now: where the next incarnation's output begins.
    public static func size(ofFileAt path: String) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    public static func lines(ofFileAt path: String, after offset: UInt64 = 0, count: Int = 5, maxBytes: Int = 16_384) -> [String]
    {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd(), end > offset else { return [] }
        let start = max(offset, end > UInt64(maxBytes) ? end - UInt64(maxBytes) : 0)
        guard (try? handle.seek(toOffset: start)) != nil, let data = try? handle.readToEnd() else { return [] }
        var lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline)
        // A read that began mid-file (not at the incarnation's start) began mid-line.
        if start > offset, !lines.isEmpty { lines.removeFirst() }
        return lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.suffix(count).map {
            $0.count > 300 ? String($0.prefix(300)) + "…" : $0
        }
    }
}
