import Foundation
import Logging

/// A backend a previous agent started and left running: the agent was killed (SIGKILL, an OOM
/// kill, a crash outside systemd's control group) and its backends, each the leader of its own
/// process group, lived on, holding their ports and GPUs. The next agent would start a second
/// ComfyUI that cannot bind, crash-loop it, and charge its renders' attempts to the crashes.
///
/// Each lane records its backend's pid in `backend.pid` next to its log; before a lane starts
/// its backend, a recorded pid that still runs the same command line is stopped (its process
/// group: SIGTERM, then SIGKILL). The command line is compared in full, so a pid the kernel has
/// since given to another program is left alone.
enum OrphanedBackend {
    /// Stops the backend recorded in `pidFile` if it still runs `command`; true when it did.
    @discardableResult
    static func stop(recordedIn pidFile: String, command: [String], logger: Logger, grace: Duration = .seconds(5)) async
        -> Bool
    {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1,
            commandLine(of: pid) == command
        else { return false }
        logger.warning("stopping pid \(pid), a backend a previous agent left running (\(command.joined(separator: " ")))")
        BackendProcess.signal(group: pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while isAlive(pid) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if isAlive(pid) {
            BackendProcess.signal(group: pid, SIGKILL)
            while isAlive(pid) { try? await Task.sleep(for: .milliseconds(20)) }
        }
        return true
    }

    /// Records `pid` as the lane's backend.
    static func record(_ pid: pid_t, in pidFile: String) {
        try? "\(pid)\n".write(toFile: pidFile, atomically: true, encoding: .utf8)
    }

    /// The process's arguments as the kernel holds them; nil when it does not exist.
    static func commandLine(of pid: pid_t) -> [String]? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"), !data.isEmpty else { return nil }
        return data.split(separator: 0, omittingEmptySubsequences: false).dropLast().map { String(decoding: $0, as: UTF8.self) }
    }

    /// Alive and not a zombie: an orphan's parent is init, which reaps it, but not at once.
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = status.lastIndex(of: ")")
        else { return false }
        return status[status.index(after: close)...].trimmingCharacters(in: .whitespaces).first != "Z"
    }
}
