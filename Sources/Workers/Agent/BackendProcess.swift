public import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One running backend process, spawned with `posix_spawn` so that it leads its own process
/// group (stopping it also stops what it spawned: Python servers start helpers) and starts
/// with SIGTERM and SIGINT at their defaults — a service runner ignores them to handle them
/// itself, and an ignored signal would otherwise be inherited and make SIGTERM a no-op.
/// Output goes to a log file; stopping is SIGTERM, then SIGKILL after a grace period.
public final class BackendProcess: Sendable {
    public let name: String
    public let pid: pid_t
    private let exit = Mutex<(status: Int32?, waiters: [CheckedContinuation<Int32, Never>])>((nil, []))

    private init(name: String, pid: pid_t) {
        self.name = name
        self.pid = pid
    }

    /// Starts `command`; its first element is looked up in PATH when it has no slash.
    ///
    /// Output goes to `logPath`, standard error too unless `errorPath` names a file of its own.
    /// `posix_spawn`, not Foundation's `Process`: its `run()` reads past a buffer on Linux now and
    /// then (swift-corelibs-foundation #5472) and crashes the caller.
    public static func start(
        name: String, command: [String], environment: [String: String], logPath: String, errorPath: String? = nil
    ) throws(AgentError) -> BackendProcess {
        guard !command.isEmpty else { throw AgentError(.backendStartFailed, "\(name): empty command line") }
        let pid: pid_t
        do {
            pid = try spawn(
                command, environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new },
                logPath: logPath, errorPath: errorPath)
        } catch {
            throw AgentError(.backendStartFailed, "\(name): cannot start \(command.joined(separator: " ")): \(error)")
        }
        let process = BackendProcess(name: name, pid: pid)
        // waitpid blocks: one plain thread per backend (a handful per box), never the cooperative pool.
        let reaper = Thread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            // WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (they are macros).
            let signal = status & 0x7f
            process.exited(signal == 0 ? (status >> 8) & 0xff : -signal)
        }
        // Linux keeps at most 15 bytes of a thread's name.
        reaper.name = "reap-\(pid)"
        reaper.start()
        return process
    }

    private static func spawn(_ command: [String], environment: [String: String], logPath: String, errorPath: String?) throws
        -> pid_t
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if let errorPath {
            posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))

        let arguments = command.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        let variables = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for variable in variables { free(variable) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, command[0], &actions, &attributes, arguments, variables)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        return pid
    }

    private func exited(_ status: Int32) {
        let waiters = exit.withLock { state -> [CheckedContinuation<Int32, Never>] in
            guard state.status == nil else { return [] }
            state.status = status
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: status) }
    }

    /// The exit status once it exited (negative: killed by that signal).
    public var exitStatus: Int32? { exit.withLock { $0.status } }

    /// Returns when the process exits, with its status.
    public func waitForExit() async -> Int32 {
        await withCheckedContinuation { continuation in
            let status = exit.withLock { state -> Int32? in
                if let status = state.status { return status }
                state.waiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    /// SIGTERM to the process group, then SIGKILL if it has not exited within `grace`.
    func stop(grace: Duration) async {
        guard exitStatus == nil else { return }
        signalGroup(SIGTERM)
        let deadline = ContinuousClock.now + grace
        while exitStatus == nil && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if exitStatus == nil {
            signalGroup(SIGKILL)
            _ = await waitForExit()
        }
    }

    /// SIGKILL now, as a crash would (a hung backend, a GPU fault).
    func kill() {
        signalGroup(SIGKILL)
    }

    private func signalGroup(_ signal: Int32) {
        Self.signal(group: pid, signal)
    }

    /// `signal` to the process group `pid` leads, or to `pid` alone when it leads none.
    static func signal(group pid: pid_t, _ signal: Int32) {
        if Glibc.kill(-pid, signal) != 0 { _ = Glibc.kill(pid, signal) }
    }

    /// Resident memory in MiB, read from /proc; nil once it exited.
    var residentMemoryMiB: Int? {
        guard exitStatus == nil,
            let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }.map { $0 / 1024 }
        }
        return nil
    }
}
