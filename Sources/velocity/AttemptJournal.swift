import Broker
import Foundation
import Synchronization
import Workers

/// `velocity worker --journal FILE`: one JSON line per attempt as it starts and as its handler
/// returns, appended to a file — what an audit or a fault-injection checker (`bench/run chaos`)
/// reads to count how often each job really ran, beside the broker's own count of attempts.
///
/// Lines go to the file from a thread of the journal's own, so a handler never waits on the
/// disk; a process killed with SIGKILL loses at most the lines of its last few milliseconds.
final class AttemptJournal: Sendable {
    private struct State {
        var lines: [String] = []
        var closed = false
    }
    private let state = Mutex(State())
    private let ready = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private let handle: FileHandle

    /// Opens `path` for appending (created when missing); a file that cannot be opened throws.
    init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        let thread = Thread { [self] in writeLoop() }
        thread.name = "attempt-journal"
        thread.start()
    }

    /// Records that `job`'s attempt started (`event` "start") or that its handler returned
    /// ("end", with `outcome` "ok" or the error code it threw).
    func record(_ event: String, job: ClaimedJob, worker: String, outcome: String? = nil) {
        var fields: [String: Any] = [
            "event": event, "job": job.id, "attempt": job.attempt, "attempt_id": job.lease.attemptID,
            "worker": worker, "at_ms": Int(Date().timeIntervalSince1970 * 1000),
        ]
        if let outcome { fields["outcome"] = outcome }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]),
            let line = String(data: data, encoding: .utf8)
        else { return }
        state.withLock { $0.lines.append(line + "\n") }
        ready.signal()
    }

    /// Writes what is queued and stops the writer thread.
    func close() {
        state.withLock { $0.closed = true }
        ready.signal()
        done.wait()
        try? handle.close()
    }

    private func writeLoop() {
        while true {
            ready.wait()
            let (lines, closed) = state.withLock { state -> ([String], Bool) in
                defer { state.lines.removeAll(keepingCapacity: true) }
                return (state.lines, state.closed)
            }
            // A full disk loses journal lines, never the worker: the journal is evidence, not state.
            if !lines.isEmpty { try? handle.write(contentsOf: Data(lines.joined().utf8)) }
            if closed {
                done.signal()
                return
            }
        }
    }
}
